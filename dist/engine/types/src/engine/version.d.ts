/** The tool named in every manifest. Its version is package.json's, the one place a release sets it. */
export declare const TOOL: {
    readonly name: "license-backup";
    readonly version: string;
};
