import { type KeyObject } from 'node:crypto';
/** A machine key as a session proof needs it (protocol v1.1). */
export interface MachineKey {
    /** RFC 7638 thumbprint of `publicJwk`: the machine ID. */
    id: string;
    publicJwk: {
        x?: string | undefined;
    };
    privateKey: KeyObject;
}
/**
 * The proof of possession of `POST /v1/sessions` (protocol v1.1): a compact JWS by the machine key, its
 * public key in the header, for one service (`aud`), now (`iat`), with a fresh nonce. A new one is made
 * for every attempt, since the service refuses a nonce it has seen.
 */
export declare function sessionProof(machine: MachineKey, audience: string, now: number): Promise<string>;
