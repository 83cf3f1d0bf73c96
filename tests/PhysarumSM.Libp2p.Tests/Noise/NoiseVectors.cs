namespace PhysarumSM.Libp2p.Tests.Noise;

/// <summary>
/// Noise vectors from the wire digest section 7.6: (a) pure Noise_XX_25519_ChaChaPoly_SHA256 (flynn/noise
/// vectors.txt) and (b) the full libp2p handshake (checked there against js-libp2p-noise 17).
/// </summary>
internal static class NoiseVectors
{
    public const string InitiatorStatic = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
    public const string ResponderStatic = "0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20";
    public const string InitiatorEphemeral = "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f";
    public const string ResponderEphemeral = "4142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f60";

    public const string PureMessage1 = "358072d6365880d1aeea329adf9121383851ed21a28e3b75e965d0d2cd166254";
    public const string PureMessage2 =
        "64b101b1d0be5a8704bd078f9895001fc03e8e9f9522f188dd128d9846d484663414af878d3e46a2"
        + "f58911a816d6e8346d4ea17a6f2a0bb4ef4ed56c133cff4560a34e36ea82109f26cf2e5a5caf992b"
        + "608d55c747f615e5a3425a7a19eefb8f";
    public const string PureMessage3 =
        "87f864c11ba449f46a0a4f4e2eacbb7b0457784f4fca1937f572c93603e9c4d97e5ea11b16f39687"
        + "10b23a3be3202dc1b5e1ce3c963347491e74f5c0768a9b42";

    public const string PureTransportPlainIr = "79656c6c6f777375626d6172696e65";
    public const string PureTransportCipherIr = "a52ef02ba60e12696d1d6b9ef4245c88fca757b6134ad6e76b56e310a6adf6";
    public const string PureTransportPlainRi = "7375626d6172696e6579656c6c6f77";
    public const string PureTransportCipherRi = "2445aa438ebd649281c636cc7269ca82f1d9023d72520943aeabf909cdf521";

    public const string InitiatorStaticPublic = "8f40c5adb68f25624ae5b214ea767a6ec94d829d3d7b5e1ad1ba6f3e2138285f";
    public const string ResponderStaticPublic = "07a37cbc142093c8b755dc1b10e86cb426374ad16aa853ed0bdfc0b2b86d1c7c";

    /// <summary>Initiator identity: the peer-ids spec Ed25519 key (12D3KooWBtg3…R3pq).</summary>
    public const string InitiatorIdentitySeed = "7e0830617c4a7de83925dfb2694556b12936c477a0e1feb2e148ec9da60fee7d";
    public const string InitiatorPeerId = "12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq";

    /// <summary>Responder identity: the all-zero Ed25519 seed (12D3KooWDpJ7…nXTN).</summary>
    public const string ResponderIdentitySeed = "0000000000000000000000000000000000000000000000000000000000000000";
    public const string ResponderPeerId = "12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN";

    public const string ResponderPayload =
        "0a24080112203b6a27bcceb6a42d62a3a8d02a6f0d73653215771de243a63ac048a18b59da29"
        + "12405a2f881c6e52559575d84b57369b87c6df3daa3880550bae075ecce3bca4a6a18c1317eac7cd0ea01214bcac8269c3d437e59010f11eb2fa7bd746626ae57f0e"
        + "220e120c2f79616d75782f312e302e30";
    public const string InitiatorPayload =
        "0a24080112201ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e"
        + "1240a0381ec5f8954ac607c1059e453ca7d6bf2456009e8b7c262b06a418f3685dfc951b443e04084e41bbc282b6387462059ee65bc28d5b286d804a25f5c0916507"
        + "220e120c2f79616d75782f312e302e30";

    public const string FramedMessage1 = "0020358072d6365880d1aeea329adf9121383851ed21a28e3b75e965d0d2cd166254";
    public const string FramedMessage2 =
        "00d864b101b1d0be5a8704bd078f9895001fc03e8e9f9522f188dd128d9846d48466"
        + "3414af878d3e46a2f58911a816d6e8346d4ea17a6f2a0bb4ef4ed56c133cff4560a34e36ea82109f26cf2e5a5caf992b"
        + "8b4dc7d75b0572c81341e68ad10231fe006dcef1006c3adfbc58fa3f8f7b125935f31f8b9e3a87e80d3cbc6d23fb9c54"
        + "1adba05ac46dca9d1e71a464f3463fc231cda1b20e887806cd6938c5c42f4d873aad19026d7a8aa2c584e09a3e58089d"
        + "cc901af50529745f94216610cafd32b1ac73bf9b837316a67be1e968b7a2f0f9d8d4e9b8dbdb3bf1";
    public const string FramedMessage3 =
        "00b887f864c11ba449f46a0a4f4e2eacbb7b0457784f4fca1937f572c93603e9c4d9"
        + "1dfcb1bf948e6b39911a0c1f615f5b4502320cd7b9b479fd98c480fafdd61f5e93858f566ed8b6e39a20b486d45185eb"
        + "32978db15c655ce1de6fbbdffb953a0c39f0b45a87a12bdc01aee67172c64b22b78e1170970225393bcdaf4d88e502fc"
        + "1b160fd8ebc2f9bab60db8d2f09cc148c20dbe810831018a8cbc9debef6fdb1c510dfc961b06f8a7a83aaf55b702e8be"
        + "4c7a3974e24bee86";

    public const string K1 = "4759d15f0f4cfb9c3cef133e60b44ea3479cae90880a7e71df96f111d78d5953";
    public const string K2 = "a8b5dce3cef845d63c9671c350eb15cbb50b6c6d5f0d3231d32d711dab1ed191";
    public const string HashAfterPrologue = "f3d15e6108ed9556171207baa58f97d29a13c6be40595166066e2e0958dc002d";

    /// <summary>yamux WindowUpdate SYN for stream 1, the first thing a js dialer sends after the handshake.</summary>
    public const string FirstTransportPlain = "000100010000000100000000";
    public const string FirstTransportFramed = "001cdc4a9c46c979611d0f700aec9c288cb51aed38473d43889f84b4956e";

    public static byte[] Bytes(string hex) => Convert.FromHexString(hex);
}
