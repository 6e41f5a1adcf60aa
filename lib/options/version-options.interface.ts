/**
 * Which version of the app its traces belong to: an MLflow LoggedModel in the experiment, the
 * "Agent versions" of MLflow's UI. Each trace carries trace metadata `mlflow.modelId` with its id.
 */
export interface VersionOptions {
  /**
   * A LoggedModel of this name in the experiment is reused (the newest one when there are
   * several), or created, as `mlflow.set_active_model(name=...)` does. With `git`, the name of a
   * version created for a new git state. MLflow refuses `/ : . % " '` in names.
   */
  name?: string;
  /** The id (`m-…`) of an existing LoggedModel, used as is, with no call to MLflow. */
  id?: string;
  /**
   * Version after the git state read at startup (commit, branch, uncommitted changes, `origin`
   * URL), as `mlflow.genai.enable_git_model_versioning()` does: from `git` when the app runs in
   * a checkout, else from CI/CD variables such as `GITHUB_SHA` or `GIT_COMMIT`. Default false.
   */
  git?: boolean;
}
