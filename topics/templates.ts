/** Placeholders of the topic families and how they expand. */
export const TENANT_PLACEHOLDER = "{tenant}";
export const SERVICE_PLACEHOLDER = "{service}";

export function expandTemplate(template: string, placeholder: string, value: string): string {
  return template.replace(placeholder, value);
}

/** The fixed part of a family template before its placeholder: `chat.messages.{tenant}` → `chat.messages.`. */
export function familyPrefix(template: string): string {
  const at = template.indexOf("{");
  return at < 0 ? template : template.slice(0, at);
}
