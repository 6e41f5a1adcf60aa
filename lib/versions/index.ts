export { ModelVersions } from './model-versions';
export type { TraceVersions } from './model-versions';
export { readGitState } from './git-state';
export type { GitState } from './git-state';
