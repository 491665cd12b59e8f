// Hash routes (#/tablero, #/invitacion/<token>): the cloud serves the same index.html for every
// path, and an invitation link must reach the page whatever the server does with paths.

function current(): string {
  return location.hash.replace(/^#/, '') || '/';
}

export const route = $state({ path: current() });

export function navigate(path: string, replace = false): void {
  const url = `#${path}`;
  if (replace) history.replaceState(null, '', url);
  else if (location.hash !== url) history.pushState(null, '', url);
  route.path = path;
}

addEventListener('hashchange', () => {
  route.path = current();
});
addEventListener('popstate', () => {
  route.path = current();
});
