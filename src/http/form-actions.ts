/** The values of the `actie` buttons, for the routes and (as the global `formActions`) the views. */
export const formActions = {
  next: 'volgende',
  save: 'opslaan',
  add: 'toevoegen',
  cancel: 'annuleren',
} as const;

/** Which `actie` button was pressed; Enter in a field presses the form's first one, Volgende. */
export function pressedAction(body: unknown): string {
  const action = (body as Record<string, unknown> | undefined)?.actie;
  return typeof action === 'string' ? action : formActions.next;
}
