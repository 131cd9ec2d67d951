import packageJson from '../../package.json' with { type: 'json' }

/** The tool named in every manifest. Its version is package.json's, the one place a release sets it. */
export const TOOL = { name: 'license-backup', version: packageJson.version } as const
