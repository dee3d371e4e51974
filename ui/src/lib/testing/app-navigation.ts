/** `$app/navigation` for unit tests: navigation is recorded, not performed. */
export const navigations: string[] = [];

export async function goto(url: string | URL): Promise<void> {
  navigations.push(String(url));
}
