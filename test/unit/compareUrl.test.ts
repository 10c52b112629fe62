import * as assert from 'node:assert/strict';
import { compareUrl } from '../../src/core/git/CompareUrl';

describe('the compare page a pull request is opened on, from the remote URL', () => {
  it('derives GitHub\'s compare page from https and ssh remotes alike', () => {
    const page = 'https://github.com/acme/app/compare/main...feature/login?expand=1';
    assert.equal(compareUrl('https://github.com/acme/app.git', 'main', 'feature/login'), page);
    assert.equal(compareUrl('https://token@github.com/acme/app', 'main', 'feature/login'), page, 'credentials never reach the browser');
    assert.equal(compareUrl('git@github.com:acme/app.git', 'main', 'feature/login'), page);
    assert.equal(compareUrl('ssh://git@github.com/acme/app.git', 'main', 'feature/login'), page);
  });

  it('opens a new merge request on GitLab and a compare page on other hosts; none for a folder', () => {
    assert.equal(compareUrl('git@gitlab.com:acme/app.git', 'main', 'fix'), 'https://gitlab.com/acme/app/-/merge_requests/new?merge_request%5Bsource_branch%5D=fix&merge_request%5Btarget_branch%5D=main');
    assert.equal(compareUrl('https://git.example.org/acme/app.git', 'main', 'a b'), 'https://git.example.org/acme/app/compare/main...a%20b');
    assert.equal(compareUrl('/srv/git/app.git', 'main', 'fix'), undefined);
    assert.equal(compareUrl('file:///srv/git/app.git', 'main', 'fix'), undefined);
  });
});
