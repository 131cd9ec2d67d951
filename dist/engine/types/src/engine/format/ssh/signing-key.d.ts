import { type KeyObject } from 'node:crypto';
import { LicenseBackupError } from '../../errors.js';
/**
 * The OpenSSH Ed25519 key that signs a backup's manifest (`sign`), read from its private key file's text; not
 * the license service's signing key, which signs licenses.
 */
export interface BackupSigningKey {
    privateKey: KeyObject;
    /** The public key blob (`ssh-ed25519` + 32 bytes), as a signature carries it. */
    publicBlob: Buffer;
    /** `ssh-ed25519 AAAA…`: the line an allowed_signers file holds for this key. */
    publicKeyLine: string;
}
/**
 * Reads an unencrypted OpenSSH Ed25519 private key (`ssh-keygen -t ed25519 -N ''`), the PROTOCOL.key
 * format. `source` names where the key came from (for instance "the variable SIGNING_KEY"); an error
 * names it and never shows any of the key. A key with a passphrase, an RSA or ECDSA key, or anything
 * malformed is CONFIG_INVALID.
 */
export declare function parseSigningKey(text: string, source: string): BackupSigningKey;
/**
 * The one reader of OpenSSH Ed25519 private keys, for signing keys and machine keys alike. `invalid` words
 * the error for its caller from a problem such as "is protected by a passphrase".
 */
export declare function readOpenSshEd25519(text: string, invalid: (problem: string) => LicenseBackupError): BackupSigningKey;
