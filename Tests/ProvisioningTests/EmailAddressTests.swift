import Testing
@testable import Provisioning

@Suite("EmailAddress.parse")
struct EmailAddressTests {
    @Test("valid addresses are accepted and normalised", arguments: [
        ("bob@example.com", "bob@example.com"),
        ("  Bob@Example.COM\t", "bob@example.com"),
        ("\u{00A0}bob@example.com\u{FEFF}", "bob@example.com"),
        ("\u{FEFF}bob@example.com\u{200B}", "bob@example.com"),
        ("\"bob@example.com\"", "bob@example.com"),
        ("'bob@example.com'", "bob@example.com"),
        ("Bob Smith <Bob@Example.com>", "bob@example.com"),
        ("\"Smith, Bob\" <bob@example.com>", "bob@example.com"),
        ("\"Bob <bob@example.com>\"", "bob@example.com"),
        ("mailto:bob@example.com", "bob@example.com"),
        ("MailTo:Bob@Example.com?subject=Hello%20there", "bob@example.com"),
        ("<mailto:bob@example.com>", "bob@example.com"),
        ("o'brien@example.ie", "o'brien@example.ie"),
        ("First.Last+tag@Sub.Example.co.uk", "first.last+tag@sub.example.co.uk"),
        ("x!#$%&*/=?^_`{|}~-y@example.com", "x!#$%&*/=?^_`{|}~-y@example.com"),
        ("bob@example.com.", "bob@example.com"),
        ("1234@example.com", "1234@example.com"),
        ("a@b-c.io", "a@b-c.io"),
        ("a@x.y2k", "a@x.y2k"),
        ("jörg@münchen.de", "jörg@münchen.de"),
        ("ÜSER@MÜNCHEN.DE", "üser@münchen.de"),
        ("user@例え.jp", "user@例え.jp"),
        ("用户@例子.广告", "用户@例子.广告"),
        ("δοκιμή@παράδειγμα.δοκιμή", "δοκιμή@παράδειγμα.δοκιμή"),
    ])
    func valid(input: String, expected: String) throws {
        let address = try EmailAddress.parse(input).get()
        #expect(address.value == expected)
        #expect(address.description == expected)
    }

    @Test("invalid addresses are rejected with their reason", arguments: [
        ("", "empty email"),
        ("   ", "empty email"),
        ("\"\"", "empty email"),
        ("Bob <>", "empty email"),
        ("mailto:", "empty email"),
        ("bob.example.com", "no '@' in \"bob.example.com\""),
        ("bob@", "invalid email \"bob@\": domain is empty"),
        ("@example.com", "invalid email \"@example.com\": local part is empty"),
        ("bob@example", "invalid email \"bob@example\": domain \"example\" has no dot"),
        ("bob smith@example.com", "invalid email \"bob smith@example.com\": contains a space"),
        ("bob@exa mple.com", "invalid email \"bob@exa mple.com\": contains a space"),
        ("bob\u{00A0}x@example.com", "contains a space"),
        ("a@b@example.com", "invalid email \"a@b@example.com\": more than one '@'"),
        (".bob@example.com", "local part starts with a dot"),
        ("bob.@example.com", "local part ends with a dot"),
        ("bo..b@example.com", "local part has two dots in a row"),
        ("bo,b@example.com", "character \",\" is not allowed before '@'"),
        ("bob@-example.com", "a domain label starts or ends with '-'"),
        ("bob@example-.com", "a domain label starts or ends with '-'"),
        ("bob@exa_mple.com", "character \"_\" is not allowed in the domain"),
        ("bob@[192.168.0.1]", "character \"[\" is not allowed in the domain"),
        ("bob@example.c☃m", "character \"☃\" is not allowed in the domain"),
        ("bob@example..com", "domain \"example..com\" has an empty label"),
        ("bob@.example.com", "has an empty label"),
        ("bob@1.2.3.4", "domain \"1.2.3.4\" has an all-numeric top-level domain"),
        ("Bob <bob@example.com", "unbalanced '<' and '>'"),
        (String(repeating: "a", count: 65) + "@example.com", "local part is longer than 64 bytes"),
        ("bob@" + String(repeating: "a", count: 64) + ".com", "a domain label is longer than 63 characters"),
        ("bob@" + Array(repeating: String(repeating: "a", count: 60), count: 5).joined(separator: ".") + ".com",
         "domain is longer than 253 characters"),
        (String(repeating: "b", count: 64) + "@" + Array(repeating: String(repeating: "a", count: 60), count: 3).joined(separator: ".") + ".example.com",
         "address is longer than 254 characters"),
    ])
    func invalid(input: String, expectedReason: String) {
        switch EmailAddress.parse(input) {
        case .success(let address):
            Issue.record("\(input.debugDescription) was accepted as \(address)")
        case .failure(let rejection):
            #expect(rejection.reason.contains(expectedReason), "reason was: \(rejection.reason)")
            #expect(rejection.description == rejection.reason)
        }
    }

    @Test("domain and local part are the parts around the '@'")
    func parts() throws {
        let address = try EmailAddress.parse("Jörg.Müller@Sub.MÜNCHEN.de").get()
        #expect(address.domain == "sub.münchen.de")
        #expect(address.localPart == "jörg.müller")
    }

    @Test("addresses differing only in case or decoration are equal, hash alike and sort by value")
    func equalityAndOrder() throws {
        let a = try EmailAddress.parse("Bob@Example.com").get()
        let b = try EmailAddress.parse("mailto:bob@EXAMPLE.COM").get()
        let c = try EmailAddress.parse("alice@example.com").get()
        #expect(a == b)
        #expect(Set([a, b, c]).count == 2)
        #expect([a, c].sorted() == [c, a])
    }

    @Test("long garbage is quoted in the reason cut to 80 characters")
    func longInputIsCut() {
        let input = String(repeating: "x", count: 500)
        guard case .failure(let rejection) = EmailAddress.parse(input) else {
            Issue.record("accepted")
            return
        }
        #expect(rejection.reason.hasPrefix("no '@' in \"" + String(repeating: "x", count: 80) + "…\""))
    }
}
