import type { BackupSigningKey } from './signing-key.js';
/**
 * SSH signatures of files (OpenSSH PROTOCOL.sshsig), as `ssh-keygen -Y sign` writes them and
 * `ssh-keygen -Y verify` checks them: Ed25519 keys, hash sha512, armored text.
 */
export declare const NAMESPACE = "license-backup";
/** A signature file larger than this is not one (an Ed25519 SSHSIG is about 300 bytes of text). */
export declare const MAX_SIGNATURE_BYTES: number;
export interface SshSignature {
    /** The signer's public key blob. */
    publicBlob: Buffer;
    namespace: string;
    hash: string;
    /** The raw 64-byte Ed25519 signature. */
    signature: Buffer;
}
/** The armored signature of `message` by `key` in the `license-backup` namespace, ending in a newline. */
export declare function signMessage(message: Uint8Array, key: BackupSigningKey): string;
/** Reads an armored SSHSIG; throws a `WireError` saying what is wrong with it. */
export declare function parseSignature(text: string): SshSignature;
/** Why `signature` does not sign `message` in the `license-backup` namespace, or undefined when it does. */
export declare function signatureProblem(signature: SshSignature, message: Uint8Array): string | undefined;
/** `SHA256:…` as `ssh-keygen -l` prints it, to name a key in messages. */
export declare function fingerprint(publicBlob: Buffer): string;
