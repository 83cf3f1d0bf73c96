namespace PhysarumSM.Libp2p.Crypto;

/// <summary>libp2p key algorithms, numbered as in crypto.proto. Why: the number is on the wire.</summary>
public enum KeyType
{
    Rsa = 0,
    Ed25519 = 1,
    Secp256k1 = 2,
    Ecdsa = 3,
}
