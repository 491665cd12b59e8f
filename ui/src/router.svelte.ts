// Path routing with the history API (the hub falls back to index.html for every role page).

export const route = $state({ path: location.pathname });

export function navigate(path: string, replace = false): void {
  if (path === location.pathname) {
    route.path = path;
    return;
  }
  if (replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  route.path = path;
}

addEventListener('popstate', () => {
  route.path = location.pathname;
});
