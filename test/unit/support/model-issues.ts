import { buildPlatformModel } from "../../../charts/model.ts";
import { loadStack } from "../../../infra/config/load.ts";
import { ValidationError, type ValidationIssue } from "../../../topics/validation-error.ts";

/**
 * The validation issues the model raises for a stack under `root` (a temporary stack root with
 * mutated config), or none when the model builds. Any other error is rethrown, so a crash never
 * passes for a refusal.
 */
export function modelIssues(stack: string, root: string): readonly ValidationIssue[] {
  try {
    buildPlatformModel(loadStack(stack, root));
    return [];
  } catch (e) {
    if (e instanceof ValidationError) return e.issues;
    throw e;
  }
}
