//! Unit tests of the Functions table and the router.

use super::*;

fn function(path: &str, method: Method) -> Option<Function> {
    resolve(path, &method).ok().map(|(f, _)| f)
}

#[test]
fn every_route_template_parses() {
    for f in Function::ALL {
        assert!(RouteTemplate::parse(f.route()).is_ok(), "{f:?}");
    }
    assert_eq!(TEMPLATES.len(), Function::ALL.len());
}

#[test]
fn all_lists_each_function_once() {
    // That ALL lists every Function with a folder is the host-contract test's to prove
    // (it compares ALL with every function.json).
    for (i, f) in Function::ALL.iter().enumerate() {
        assert!(!Function::ALL[..i].contains(f), "{f:?} twice");
    }
}

#[test]
fn no_path_and_method_reach_two_functions() {
    for (a, ta) in TEMPLATES.iter() {
        for (b, tb) in TEMPLATES.iter().filter(|(b, _)| b != a) {
            if ta.overlaps(tb) && ta.shape() == tb.shape() {
                let shared: Vec<_> = a
                    .methods()
                    .iter()
                    .filter(|m| b.methods().contains(m))
                    .collect();
                assert!(shared.is_empty(), "{a:?} and {b:?} both take {shared:?}");
            }
        }
    }
}

fn table(routes: &[(Function, &'static str)]) -> Vec<(Function, RouteTemplate<'static>)> {
    routes
        .iter()
        .map(|(f, t)| (*f, RouteTemplate::parse(t).expect("template")))
        .collect()
}

#[test]
fn a_literal_route_wins_over_a_parameter_whatever_the_order() {
    let t = table(&[
        (Function::GetChats, "chats/{chatId}"),
        (Function::GetUsers, "chats/mine"),
    ]);
    let found = |path| {
        resolve_in(&t, path, &Method::GET)
            .ok()
            .map(|(f, p)| (f, p.get("chatId").map(str::to_string)))
    };
    assert_eq!(found("/api/chats/mine"), Some((Function::GetUsers, None)));
    assert_eq!(
        found("/api/chats/x%2Fy"),
        Some((Function::GetChats, Some("x/y".into())))
    );
}

#[test]
fn functions_sharing_a_route_are_told_apart_by_method() {
    let t = table(&[
        (Function::GetToken, "things"),
        (Function::EventHandler, "things"),
    ]);
    let found = |m| resolve_in(&t, "/api/things", &m).map(|(f, _)| f);
    assert_eq!(found(Method::GET).ok(), Some(Function::GetToken));
    assert_eq!(found(Method::POST).ok(), Some(Function::EventHandler));
    match found(Method::PUT) {
        Err(ApiError::MethodNotAllowed { allow }) => assert_eq!(allow, "GET, POST, OPTIONS"),
        other => panic!("PUT is 405 naming both Functions' methods, not {other:?}"),
    }
}

#[test]
fn declared_routes_resolve_case_insensitively() {
    assert_eq!(
        function("/api/getToken", Method::GET),
        Some(Function::GetToken)
    );
    assert_eq!(
        function("/API/GETTOKEN", Method::GET),
        Some(Function::GetToken)
    );
    assert_eq!(
        function("/api/users/", Method::GET),
        Some(Function::GetUsers)
    );
}

#[test]
fn the_webhook_takes_a_larger_body_than_the_other_functions() {
    const { assert!(body::MAX_WEBHOOK_BODY > body::MAX_API_BODY) };
    assert_eq!(Function::EventHandler.body_limit(), body::MAX_WEBHOOK_BODY);
    for f in [Function::GetToken, Function::GetUsers, Function::GetChats] {
        assert_eq!(f.body_limit(), body::MAX_API_BODY);
    }
}

#[test]
fn undeclared_paths_are_not_found_and_undeclared_methods_not_allowed() {
    assert!(matches!(
        resolve("/api/getUsers", &Method::GET),
        Err(ApiError::NotFound)
    ));
    assert!(matches!(
        resolve("/users", &Method::GET),
        Err(ApiError::NotFound)
    ));
    assert!(matches!(
        resolve("/api/users/x", &Method::GET),
        Err(ApiError::NotFound)
    ));
    assert!(matches!(
        resolve("/api/getToken", &Method::POST),
        Err(ApiError::MethodNotAllowed { .. })
    ));
    assert!(matches!(
        resolve("/api/eventHandler", &Method::GET),
        Err(ApiError::MethodNotAllowed { .. })
    ));
}
