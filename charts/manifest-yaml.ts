import { parseAllDocuments, stringify } from "yaml";
import type { K8sObject, RenderedChart } from "./index.ts";

/** How a chart's file starts: where it came from, so nobody edits it by hand. */
export function manifestHeader(stack: string, chart: string): string {
  return (
    `# Chart ${chart} of stack ${stack}, rendered by \`npm run render -- --stack ${stack}\`\n` +
    `# from Pulumi.${stack}.yaml and the catalog (topics/, acl/). Do not edit: re-render.\n`
  );
}

/** One object as YAML, with stable formatting (no line folding, so diffs stay line-based). */
export function objectYaml(obj: K8sObject): string {
  return stringify(obj, { lineWidth: 0, minContentWidth: 0 });
}

/** A chart as one multi-document YAML file. */
export function chartYaml(stack: string, chart: RenderedChart): string {
  return (
    manifestHeader(stack, chart.name) + chart.objects.map((o) => `---\n${objectYaml(o)}`).join("")
  );
}

/** Reads back the objects of a chart file (comments and empty documents are skipped). */
export function parseChartYaml(text: string): K8sObject[] {
  return parseAllDocuments(text)
    .map((d) => d.toJS() as unknown)
    .filter((o): o is K8sObject => typeof o === "object" && o !== null && "kind" in o);
}

/** `Kind namespace/name`: how the render command names an object. */
export function objectKey(obj: K8sObject): string {
  const ns = obj.metadata.namespace !== undefined ? `${obj.metadata.namespace}/` : "";
  return `${obj.kind} ${ns}${obj.metadata.name}`;
}
