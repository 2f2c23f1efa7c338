//! Looking up many creates of one type at once.
//!
//! A plan looks up every resource it is about to create (see
//! `ops::ownership`). One `find` per create is one AWS call per resource:
//! about 70 s for a 10,000-resource stack on the local cloud, and a real
//! account would throttle it. A type that can rule most of its creates out
//! with one listing overrides `ResourceProvider::find_many` with the helpers
//! here; every create the listing cannot rule out still gets the type's own
//! `find`, so adoption and the foreign-resource check keep one definition.

use std::collections::BTreeSet;
use std::future::Future;

use futures::stream::{self, StreamExt};

use super::{Applied, Cx, ProviderError, Request, ResourceProvider};

/// `find`s in flight at once: they are reads, like a refresh's.
pub const PARALLEL_FINDS: usize = 10;

/// Below this many creates of a type, one `find` each costs fewer calls than
/// a listing, which pages through everything of the type in the account
/// (or, for EC2, everything of the stack).
pub const BATCH_FROM: usize = 16;

/// What one lookup said, in the order asked.
pub type Found = Vec<Result<Option<Applied>, ProviderError>>;

/// One `find` per request, [`PARALLEL_FINDS`] at a time.
pub async fn one_by_one<P>(provider: &P, cx: &Cx, reqs: &[Request<'_>]) -> Found
where
    P: ResourceProvider + ?Sized,
{
    each(reqs.len(), |i| provider.find(cx, &reqs[i])).await
}

/// `find(i)` for each of `count` requests, [`PARALLEL_FINDS`] at a time,
/// answers in order. By index: a closure over `&Request` would have to be
/// general over its lifetime, which rustc cannot prove for a future held
/// across `.await`.
pub async fn each<F, Fut>(count: usize, find: F) -> Found
where
    F: Fn(usize) -> Fut,
    Fut: Future<Output = Result<Option<Applied>, ProviderError>>,
{
    stream::iter(0..count).map(find).buffered(PARALLEL_FINDS).collect().await
}

/// For types found by a unique physical name: lists the names that exist
/// (`existing` gets the names asked about, is called once, and only for
/// [`BATCH_FROM`] creates or more), and asks `find` only about the requests
/// whose `name` is among them. A request whose name cannot be computed gets
/// that error, as its `find` would. When the listing fails, every request
/// gets its own `find`.
pub async fn by_listed_name<P, L, Fut>(
    provider: &P,
    cx: &Cx,
    reqs: &[Request<'_>],
    existing: L,
    name: impl Fn(&Request<'_>) -> Result<String, ProviderError>,
) -> Found
where
    P: ResourceProvider + ?Sized,
    L: FnOnce(Vec<String>) -> Fut,
    Fut: Future<Output = Result<BTreeSet<String>, ProviderError>>,
{
    if reqs.len() < BATCH_FROM {
        return one_by_one(provider, cx, reqs).await;
    }
    let names: Vec<Result<String, ProviderError>> = reqs.iter().map(&name).collect();
    let asked = names.iter().filter_map(|n| n.as_ref().ok().cloned()).collect();
    let Ok(existing) = existing(asked).await else { return one_by_one(provider, cx, reqs).await };
    let existing = &existing;
    stream::iter(names.into_iter().enumerate())
        .map(|(i, name)| {
            let req = &reqs[i];
            async move {
                match name {
                    Ok(name) if existing.contains(&name) => provider.find(cx, req).await,
                    Ok(_) => Ok(None),
                    Err(error) => Err(error),
                }
            }
        })
        .buffered(PARALLEL_FINDS)
        .collect()
        .await
}

/// The longest prefix every name shares (on a character boundary), for
/// listings that filter by prefix.
pub fn common_prefix(names: &[String]) -> &str {
    let Some((first, rest)) = names.split_first() else { return "" };
    let mut end = first.len();
    for name in rest {
        end = match first[..end].char_indices().zip(name.chars()).find(|((_, a), b)| a != b) {
            Some(((at, _), _)) => at,
            None => end.min(name.len()),
        };
    }
    &first[..end]
}

/// The answer of a `find_many` asked about one request: a type that
/// overrides `find_many` defines its `find` through it, so both paths match
/// resources the same way.
pub fn only(mut found: Found) -> Result<Option<Applied>, ProviderError> {
    found.pop().unwrap_or(Ok(None))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|n| (*n).to_owned()).collect()
    }

    #[test]
    fn common_prefix_stops_at_the_first_difference_on_a_character_boundary() {
        assert_eq!(common_prefix(&names(&["/g/local/1", "/g/local/2", "/g/local/10"])), "/g/local/");
        assert_eq!(common_prefix(&names(&["/g/local/10", "/g/local/1"])), "/g/local/1");
        assert_eq!(common_prefix(&names(&["/g/é1", "/g/è2"])), "/g/");
        assert_eq!(common_prefix(&names(&["a", "b"])), "");
        assert_eq!(common_prefix(&names(&["only"])), "only");
        assert_eq!(common_prefix(&[]), "");
    }
}
