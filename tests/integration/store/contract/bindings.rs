//! Connection bindings: idempotent, never rebound to someone else, kept once closed.

use chatr::chat::outcome::Change;
use chatr::store::{Binding, SharedStore, StoreError};

use crate::support::domain::{cid, uid};

pub async fn bindings_are_idempotent(store: SharedStore) {
    let bind = Change::BindConnection {
        connection: cid("c1"),
        user: uid("alice"),
    };
    store
        .apply(&[bind.clone(), bind])
        .await
        .expect("bind twice");
    assert_eq!(
        store.get_binding(&cid("c1")).await.expect("read"),
        Some(Binding {
            user: uid("alice"),
            closed: false
        })
    );
    let other = Change::BindConnection {
        connection: cid("c1"),
        user: uid("mallory"),
    };
    assert!(
        matches!(
            store.apply(std::slice::from_ref(&other)).await,
            Err(StoreError::Conflict)
        ),
        "a bound connection is never rebound to someone else"
    );
    assert_eq!(
        store.list_bindings().await.expect("list"),
        vec![(cid("c1"), uid("alice"))]
    );
    let unbind = Change::UnbindConnection {
        connection: cid("c1"),
    };
    store
        .apply(&[unbind.clone(), unbind])
        .await
        .expect("unbind twice");
    assert_eq!(
        store.get_binding(&cid("c1")).await.expect("read"),
        Some(Binding {
            user: uid("alice"),
            closed: true
        }),
        "a closed binding is kept"
    );
    assert!(store.list_bindings().await.expect("list").is_empty());
    assert!(
        matches!(store.apply(&[other]).await, Err(StoreError::Conflict)),
        "nor is a closed one"
    );
}
