/** The tool named in every manifest. Kept equal to package.json's version (a test checks it). */
export const TOOL = { name: 'license-backup', version: '0.1.0' } as const
