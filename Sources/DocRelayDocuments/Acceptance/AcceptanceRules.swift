/// How a hub judges a record's time the first time it accepts it (issue 11, point 2; contract,
/// "Trusted time"): against its own clock, since `dr-created` is chosen by the signer.
///
/// - `dr-created` more than `maxSkew` after the hub's clock: refused (`signature`);
/// - `dr-created` more than `maxAge` before it: refused (`signature`);
/// - the signer's chain must be valid at `dr-created` and also at the acceptance, allowing
///   `maxSkew` (at `max(dr-created, now - maxSkew)`): a certificate expired by then is refused
///   even for a document dated while it was valid.
///
/// hub.yaml `acceptance.max-skew` (default 5 minutes) and `acceptance.max-age` (default 7 days).
public struct AcceptanceRules: Sendable, Hashable {
    /// The clock difference allowed between a signer and the hub, both ways.
    public var maxSkew: Duration
    /// The oldest `dr-created` a first acceptance takes, measured back from the hub's clock.
    public var maxAge: Duration

    public init(maxSkew: Duration = .seconds(300), maxAge: Duration = .seconds(7 * 86_400)) {
        self.maxSkew = maxSkew
        self.maxAge = maxAge
    }

    /// Whole seconds of `duration` (sub-second parts are ignored).
    static func seconds(_ duration: Duration) -> Double { Double(duration.components.seconds) }
}
