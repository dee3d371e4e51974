/**
 * The Go-built tools that validate deploy/ and .github/ offline, pinned to concrete versions.
 * Each builds once per machine with `go install` into the user's cache (see go-tools.ts), keyed
 * by version, so bumping a version here rebuilds it and CI's cache key changes with this file.
 */
export interface GoTool {
  /** Binary name, and the prefix of its cache folder. */
  name: string;
  /** Go package path of the command. */
  module: string;
  version: string;
  /** What it is for, printed while it builds. */
  purpose: string;
}

export const HELM: GoTool = {
  name: 'helm',
  module: 'helm.sh/helm/v3/cmd/helm',
  version: 'v3.22.0',
  purpose: 'helm lint and helm template of deploy/helm',
};

export const ACTIONLINT: GoTool = {
  name: 'actionlint',
  module: 'github.com/rhysd/actionlint/cmd/actionlint',
  version: 'v1.7.12',
  purpose: 'linting .github/workflows',
};

export const GO_TOOLS = [HELM, ACTIONLINT] as const;
