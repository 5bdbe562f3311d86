/// Steps 1–3 of Nylas's bulk-authentication guide, done before the first night: checking a
/// Google service-account key file, building and receiving Microsoft admin consent, and the
/// preflight checks of `bulkgrant doctor`.
public enum Onboarding {}
