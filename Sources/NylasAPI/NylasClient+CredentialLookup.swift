/// Where a credential id is, for the messages that must say more than "not found".
public enum CredentialLocation: Sendable {
    case found(Credential)
    /// Not under the provider asked for, but under this one: the id belongs to the other provider.
    case otherProvider(Provider, Credential)
    case missing(NylasError)
}

extension NylasClient {
    /// Looks credential `id` up under `provider`, and under the other provider when that one
    /// answers 404, so that a credential given with the wrong `--provider` is named as such.
    public func locateCredential(id: String, provider: Provider) async throws -> CredentialLocation {
        do {
            return .found(try await getCredential(provider: provider, id: id))
        } catch let error as NylasError where error.status == 404 {
            for other in Provider.allCases where other != provider {
                if let credential = try? await getCredential(provider: other, id: id) {
                    return .otherProvider(other, credential)
                }
            }
            return .missing(error)
        }
    }
}
