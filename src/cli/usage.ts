/** The command line is wrong (exit 2): an unknown command or flag, a missing value. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'UsageError'
  }
}

export const HELP = `license-backup: back up, verify and restore a store of signed licenses (docs: README, "Use it outside GitHub Actions").

Usage:
  license-backup run [--config FILE] [--only KIND] [--json]
      Runs the steps file (default license-backup.yml), as the GitHub Action does.
  license-backup backup --store DIR --path DIR [--pattern GLOB] [--overwrite] [--encrypt-to AGE1...]
                        [--compression gzip|none] [--format license-backup/v1|license-backup/v2]
                        [--sign-key-env VAR] [--on-restricted ignore|info|warn|error] [--trust-jwks FILE]
                        [--registry HOST/REPO [--tag TAG]... [--registry-username U] [--registry-token-env VAR]]
  license-backup verify --path DIR|--from-registry HOST/REPO:TAG [--trust-jwks FILE] [--signers FILE]
                        [--max-age 7d] [--identity-env VAR] [--registry-username U] [--registry-token-env VAR]
  license-backup restore --store DIR --path DIR|--from-registry REF --service URL --token-env VAR [--individualize]
                        [--trust-jwks FILE] [--signers FILE] [--max-age 7d] [--identity-env VAR]
                        [--machine-key-env VAR] [--include JTI]... [--on-refused fail|skip] [--lease 2h]
  license-backup release --store DIR --service URL --token-env VAR [--machine-key-env VAR] [--include JTI]...
  license-backup renew --store DIR --service URL --token-env VAR [--machine-key-env VAR] [--lease 2h]
  license-backup inspect PATH|oci://HOST/REPO:TAG [--registry-username U] [--registry-token-env VAR] [--json]
      Prints a backup's manifest summary without restoring: format, created, origin, counts, signature, age.

Every command takes --json (one event a line) and --help. Secrets are read from the environment variables
the steps file or the *-env flags name. GitHub artifacts are the action's alone: use a registry or a path.

Exit codes: 0 ok, 1 failed, 2 usage, 10-23 and 70 one per error class (docs/errors.md).
`
