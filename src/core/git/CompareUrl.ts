/**
 * The web page where a pull (or merge) request from `branch` into `base` is
 * opened, derived from a remote's URL (`https://`, `ssh://` or scp-like
 * `git@host:owner/repo.git`): GitHub's compare page, GitLab's new merge
 * request, Bitbucket's new pull request, else a `/compare/base...branch` page
 * (Gitea, Forgejo). Undefined for a remote that is no web host (a folder).
 */
export function compareUrl(remoteUrl: string, base: string, branch: string): string | undefined {
  const web = webRoot(remoteUrl.trim());
  if (!web) return undefined;
  const ref = (name: string) => name.split('/').map(encodeURIComponent).join('/');
  const host = new URL(web).hostname;
  if (host.includes('gitlab')) {
    return `${web}/-/merge_requests/new?merge_request%5Bsource_branch%5D=${encodeURIComponent(branch)}&merge_request%5Btarget_branch%5D=${encodeURIComponent(base)}`;
  }
  if (host === 'bitbucket.org') return `${web}/pull-requests/new?source=${encodeURIComponent(branch)}&dest=${encodeURIComponent(base)}`;
  return `${web}/compare/${ref(base)}...${ref(branch)}${host === 'github.com' ? '?expand=1' : ''}`;
}

/** `https://host/owner/repo` for a remote URL, without credentials, port of ssh, or `.git`. */
function webRoot(url: string): string | undefined {
  const scp = /^(?:[^@/]+@)?([^:/]+):(?!\/)(.+)$/.exec(url);
  if (scp && !/^[a-z]+:\/\//i.test(url)) return `https://${scp[1]}/${trimPath(scp[2])}`;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // Not a URL and not scp-like: a folder on this machine.
    return undefined;
  }
  if (!['https:', 'http:', 'ssh:', 'git:'].includes(parsed.protocol) || !parsed.hostname) return undefined;
  const scheme = parsed.protocol === 'http:' ? 'http' : 'https';
  const port = parsed.protocol === 'https:' || parsed.protocol === 'http:' ? (parsed.port ? `:${parsed.port}` : '') : '';
  return `${scheme}://${parsed.hostname}${port}/${trimPath(parsed.pathname)}`;
}

function trimPath(path: string): string {
  return path.replace(/^\/+/, '').replace(/\/+$/, '').replace(/\.git$/, '');
}
