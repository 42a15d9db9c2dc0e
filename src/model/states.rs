//! Small closed sets of states that the database and the JSON output write as lower-case words.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Declares a field-less enum with its lower-case names, `as_str`, `Display` and `FromStr`.
macro_rules! word_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vdoc])* $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The word stored in the database and printed in JSON.
            #[must_use]
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = String;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $name::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str() == s)
                    .ok_or_else(|| {
                        let known: Vec<&str> = $name::ALL.iter().map(|v| v.as_str()).collect();
                        format!(
                            "unknown {} \"{s}\": expected one of {}",
                            stringify!($name),
                            known.join(", ")
                        )
                    })
            }
        }
    };
}

word_enum!(
    /// Where a message is in the outbox.
    OutboxState {
        /// Waiting for its next attempt.
        Pending = "pending",
        /// Claimed by a delivery pass.
        Sending = "sending",
        /// Delivered (or written to the mail directory).
        Sent = "sent",
        /// Given up; its last error is kept.
        Dead = "dead",
    }
);

word_enum!(
    /// What a message is.
    MessageKind {
        /// An immediate alert about one change.
        Alert = "alert",
        /// A recipient's periodic digest.
        Digest = "digest",
    }
);

word_enum!(
    /// How a message leaves: by e-mail (SMTP or `.eml` files) or as an HTTP POST to a
    /// recipient's webhook.
    Channel {
        /// E-mail to the recipient's `emails`.
        Email = "email",
        /// A POST to the URL in the recipient's `webhook_env` variable.
        Webhook = "webhook",
    }
);

word_enum!(
    /// The payload a webhook receives (`format` of a recipient).
    WebhookFormat {
        /// A Slack incoming webhook: Block Kit blocks.
        Slack = "slack",
        /// A Teams workflow webhook: a message with an Adaptive Card attachment.
        Teams = "teams",
        /// The change object of `show --json` (digests: `{"kind": "digest", ...}`).
        Json = "json",
    }
);

word_enum!(
    /// How a check of one source ended, as the fetch log and the metrics name it.
    CheckOutcome {
        /// First version stored.
        Baseline = "baseline",
        /// Extraction settings changed; a new baseline stored.
        Rebaselined = "rebaselined",
        /// Same text as before.
        Unchanged = "unchanged",
        /// The server answered 304 Not Modified.
        NotModified = "not_modified",
        /// The text changed.
        Changed = "changed",
        /// A shrunken text was accepted as a new baseline (by `accept` or the shrink rule).
        Accepted = "accepted",
        /// The check failed.
        Failed = "failed",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_round_trip_and_match_serde() {
        for s in OutboxState::ALL {
            assert_eq!(s.as_str().parse::<OutboxState>().unwrap(), *s);
            assert_eq!(
                serde_json::to_string(s).unwrap(),
                format!("\"{}\"", s.as_str())
            );
        }
        for o in CheckOutcome::ALL {
            assert_eq!(
                serde_json::to_string(o).unwrap(),
                format!("\"{}\"", o.as_str())
            );
        }
        assert_eq!("digest".parse::<MessageKind>(), Ok(MessageKind::Digest));
        assert!("queued".parse::<OutboxState>().is_err());
    }
}
