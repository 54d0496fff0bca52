export const provider = undefined as any;
