//! A JSON body extractor whose rejections are ordinary `{error:{code:"validation",…}}` answers.

use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;

use crate::error::CloudError;

pub struct Body<T>(pub T);

impl<S, T> FromRequest<S> for Body<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = CloudError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(Body(v)),
            Err(rejection) => {
                if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                    return Err(CloudError::Conflict {
                        code: "payload_too_large",
                        message: "la solicitud es demasiado grande".into(),
                    });
                }
                Err(CloudError::validation("body", rejection.body_text()))
            }
        }
    }
}
