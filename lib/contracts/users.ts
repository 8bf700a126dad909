/** A person as the API shows them. */
export type PublicUser = { id: string; name: string; email: string };
