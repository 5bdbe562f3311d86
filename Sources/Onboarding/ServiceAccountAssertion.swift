import Foundation
import _CryptoExtras

/// The RS256 JWT assertion a service account signs to ask Google for a token (RFC 7523), built
/// here only to prove locally that a key file's private key signs: it is never sent anywhere.
///
/// Google would reject an assertion whose `iat` is off by more than a few minutes, which is why
/// `bulkgrant doctor` checks the clock too.
public struct ServiceAccountAssertion: Sendable {
    /// Google's token endpoint, the audience of every service-account assertion.
    public static let audience = "https://oauth2.googleapis.com/token"
    /// A scope to put in the test assertion; any would do, since nothing is sent.
    public static let testScope = "https://www.googleapis.com/auth/calendar"

    /// The compact serialisation `header.claims.signature`, each part base64url without padding.
    public let token: String

    /// Signs an assertion for `clientEmail` with `key`, issued at `issuedAt`, valid one hour.
    public init(
        key: _RSA.Signing.PrivateKey, keyID: String, clientEmail: String, scope: String = testScope,
        issuedAt: Date = Date()
    ) throws {
        let iat = Int(issuedAt.timeIntervalSince1970)
        let header = Self.json(["alg": .string("RS256"), "typ": .string("JWT"), "kid": .string(keyID)])
        let claims = Self.json([
            "iss": .string(clientEmail), "scope": .string(scope), "aud": .string(Self.audience),
            "iat": .int(iat), "exp": .int(iat + 3600),
        ])
        let signingInput = Base64URL.encode(header) + "." + Base64URL.encode(claims)
        // RS256 is RSASSA-PKCS1-v1_5 over SHA-256 (RFC 7518 §3.3); swift-crypto names the padding
        // "insecure" only to steer new protocols to PSS.
        let signature = try key.signature(for: Data(signingInput.utf8), padding: .insecurePKCS1v1_5)
        token = signingInput + "." + Base64URL.encode(signature.rawRepresentation)
    }

    /// Whether `token` carries a valid RS256 signature by the private half of `publicKey`.
    public static func verify(_ token: String, with publicKey: _RSA.Signing.PublicKey) -> Bool {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let signature = Base64URL.decode(String(parts[2])) else { return false }
        let signingInput = Data("\(parts[0]).\(parts[1])".utf8)
        return publicKey.isValidSignature(
            _RSA.Signing.RSASignature(rawRepresentation: signature), for: signingInput, padding: .insecurePKCS1v1_5)
    }

    /// The decoded header and claims of `token`, for tests and diagnostics.
    public static func decodeParts(_ token: String) -> (header: [String: Any], claims: [String: Any])? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let header = Base64URL.decode(String(parts[0])),
            let claims = Base64URL.decode(String(parts[1])),
            let headerObject = try? JSONSerialization.jsonObject(with: header) as? [String: Any],
            let claimsObject = try? JSONSerialization.jsonObject(with: claims) as? [String: Any]
        else { return nil }
        return (headerObject, claimsObject)
    }

    private enum Claim: Encodable {
        case string(String)
        case int(Int)

        func encode(to encoder: Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .string(let value): try container.encode(value)
            case .int(let value): try container.encode(value)
            }
        }
    }

    private static func json(_ object: [String: Claim]) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding strings and integers cannot fail.
        return (try? encoder.encode(object)) ?? Data("{}".utf8)
    }
}

/// Base64url without padding (RFC 4648 §5), as JWTs use it.
enum Base64URL {
    static func encode(_ data: Data) -> String {
        data.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decode(_ text: String) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64)
    }
}
