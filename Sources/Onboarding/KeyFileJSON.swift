import Foundation

/// The first look at a key file's bytes: a JSON object, or a message saying what the file is
/// instead (empty, a PKCS#12 key, some other binary, a bare PEM key, JSON with a mistake at a
/// given line and column). Messages never quote the file's content.
enum KeyFileJSON {
    static func object(_ data: Data, path: String) throws -> [String: Any] {
        func fail(_ code: KeyFileError.Code, _ message: String) -> KeyFileError {
            KeyFileError(code: code, path: path, message: message)
        }
        let hint = GoogleKeyFile.newKeyHint
        let bytes = [UInt8](data)
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            throw fail(.empty, "is empty: \(hint)")
        }
        let lowerPath = path.lowercased()
        if isPKCS12(bytes) || lowerPath.hasSuffix(".p12") || lowerPath.hasSuffix(".pfx") {
            throw fail(
                .pkcs12,
                "is a PKCS#12 (.p12) key, the legacy binary format Nylas does not take: create a JSON key instead; \(hint)")
        }
        guard !bytes.contains(0), let text = String(data: data, encoding: .utf8) else {
            throw fail(.binary, "is a binary file, not a JSON key file: \(hint)")
        }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.hasPrefix("-----BEGIN") {
            throw fail(
                .notJSON,
                "is a bare PEM key, not the JSON key file (Nylas needs its client_email and private_key_id too): \(hint)")
        }
        let parsed: Any
        do {
            parsed = try JSONSerialization.jsonObject(with: data, options: [])
        } catch {
            throw fail(.notJSON, "is not valid JSON: \(describe(error, in: bytes)); \(hint)")
        }
        guard let object = parsed as? [String: Any] else {
            throw fail(.notObject, "is JSON but not an object ({…}) as a service-account key is: \(hint)")
        }
        return object
    }

    /// DER of `SEQUENCE { INTEGER 3, …`: the version that opens every PKCS#12 file (RFC 7292).
    private static func isPKCS12(_ bytes: [UInt8]) -> Bool {
        guard bytes.count > 8, bytes[0] == 0x30 else { return false }
        let lengthBytes = bytes[1] & 0x80 != 0 ? Int(bytes[1] & 0x7F) : 0
        let version = 2 + lengthBytes
        return bytes.count > version + 3 && Array(bytes[version..<(version + 3)]) == [0x02, 0x01, 0x03]
    }

    /// Foundation says "… around character N." (a byte offset): turned into a line and column,
    /// without repeating the text there, which may be part of the key.
    static func describe(_ error: Error, in bytes: [UInt8]) -> String {
        let detail = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\(error)"
        if detail.contains("end of file") {
            return "it ends before the JSON is complete (the file was cut short)"
        }
        let what = detail.contains("control character")
            ? "a line break or tab inside a string" : "something that is not JSON"
        guard let match = detail.firstMatch(of: /character (\d+)/), let offset = Int(match.output.1) else {
            return what
        }
        let before = bytes.prefix(min(offset, bytes.count))
        let line = before.filter { $0 == 0x0A }.count + 1
        let lineStart = before.lastIndex(of: 0x0A).map { $0 + 1 } ?? 0
        let column = String(decoding: before[lineStart...], as: UTF8.self).count + 1
        return "\(what) at line \(line), column \(column)"
    }
}
