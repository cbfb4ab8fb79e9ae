/** Resolves after `ms`: for pacing a load, never for proving that something did not happen. */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
