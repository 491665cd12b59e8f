//! The organisation's menu designs, as the owner's console lists them. Designs are made in a
//! store's menu designer and shared with every branch through sync (like the catalogue); the
//! cloud holds the winning version of each, and this list says which branch last changed it.

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::Member;
use crate::error::Result;
use crate::state::CloudState;

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MenuDesignItem {
    pub id: String,
    pub name: String,
    /// The title the slides show.
    pub title: String,
    /// The branch whose store made the latest version (none for a store since removed).
    pub branch_id: Option<String>,
    pub branch_name: Option<String>,
    /// When that version was made, RFC 3339 UTC.
    pub updated_at: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MenuDesignList {
    pub items: Vec<MenuDesignItem>,
}

/// The organisation's menu designs (every branch has them), deleted ones left out.
#[utoipa::path(get, path = "/api/v1/catalog/menu-designs", responses((status = 200, body = MenuDesignList)),
    security(("bearer" = [])), tag = "catalog")]
pub async fn list_menu_designs(
    State(st): State<CloudState>,
    member: Member,
) -> Result<Json<MenuDesignList>> {
    // The winning version's own event tells a deletion from an edit and names its branch.
    let rows = st
        .db()
        .await?
        .query(
            "SELECT c.entity_id, c.record->>'name', c.record->>'title', e.branch_id, b.name,
                    to_char(to_timestamp(e.created_at / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')
             FROM catalog_records c
             JOIN events e ON e.org_id = c.org_id AND e.entity = 'menu_design' AND e.entity_id = c.entity_id
                 AND e.device_id = c.device_id AND e.hlc_wall = c.hlc_wall AND e.hlc_counter = c.hlc_counter
             LEFT JOIN branches b ON b.id = e.branch_id
             WHERE c.org_id = $1 AND c.entity = 'menu_design' AND e.type <> 'menu_design.deleted'
             ORDER BY lower(c.record->>'name'), c.entity_id",
            &[&member.org_id],
        )
        .await?;
    let items = rows
        .iter()
        .map(|r| MenuDesignItem {
            id: r.get(0),
            name: r.get::<_, Option<String>>(1).unwrap_or_default(),
            title: r.get::<_, Option<String>>(2).unwrap_or_default(),
            branch_id: r.get(3),
            branch_name: r.get(4),
            updated_at: r.get(5),
        })
        .collect();
    Ok(Json(MenuDesignList { items }))
}
