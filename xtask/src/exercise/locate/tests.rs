use super::*;

/// The body of `item` in `source`, as text.
fn body_of<'a>(source: &'a str, item: &str) -> &'a str {
    match find(source, item) {
        Ok(body) => body.text(source),
        Err(error) => panic!("{item}: {error}"),
    }
}

const SOURCE: &str = r##"
//! A file with every trap: braces in strings, chars, comments, lifetimes and raw strings.

use std::task::Wake;

/// `fn run_task() {` in a doc comment is no function.
pub fn run_task<F: Future>(future: F) -> F::Output {
    let open = '{'; // a char, not a brace
    let text = "}}} \" }"; /* a } in a comment /* nested { */ */
    let raw = r#"a "quoted" } brace"#;
    let bytes = (b'}', b"}", br"}", '\'', '\u{7D}');
    'outer: loop {
        break 'outer;
    }
    future.output()
}

pub struct Loop<'a> {
    name: &'a str,
}

impl<'a> Loop<'a> {
    pub(crate) fn fire_due_timers(&self) -> impl Fn() -> usize + 'a {
        move || self.name.len()
    }

    fn run_task(&self) {}
}

impl<T: Future<Output = ()>> Wake for TaskWaker<T>
where
    T: for<'b> Fn(&'b str),
{
    fn wake_by_ref(self: &Arc<Self>) {
        self.queue.push(self.id);
    }
}

impl Drop for Loop<'_> {
    fn drop(&mut self) {
        let r#match = 1;
    }
}

mod tests {
    fn run_task() {}
}
"##;

#[test]
fn a_free_function_is_not_a_method_nor_one_in_a_mod() {
    let body = body_of(SOURCE, "run_task");
    assert!(body.starts_with("{\n    let open = '{';"), "{body}");
    assert!(body.ends_with("future.output()\n}"), "{body}");
}

#[test]
fn methods_of_an_inherent_impl_and_of_trait_impls() {
    assert_eq!(
        body_of(SOURCE, "Loop::fire_due_timers"),
        "{\n        move || self.name.len()\n    }"
    );
    assert_eq!(body_of(SOURCE, "Loop::run_task"), "{}");
    assert_eq!(
        body_of(SOURCE, "impl Wake for TaskWaker: wake_by_ref"),
        "{\n        self.queue.push(self.id);\n    }"
    );
    assert_eq!(
        body_of(SOURCE, "impl Drop for Loop: drop"),
        "{\n        let r#match = 1;\n    }"
    );
}

#[test]
fn what_is_not_there_or_not_said_right_is_a_clear_error() {
    let error = |item: &str| find(SOURCE, item).expect_err(item);
    assert_eq!(error("Loop::drop"), "no `Loop::drop` found");
    assert_eq!(
        error("impl Wake for Loop: drop"),
        "no `impl Wake for Loop: drop` found"
    );
    assert_eq!(error("missing"), "no `missing` found");
    assert!(error("Loop::").starts_with("cannot read item"));
    assert!(error("impl Wake TaskWaker: wake").starts_with("cannot read item"));
    let twice = "fn f() {}\nfn f() {}\n";
    assert_eq!(
        find(twice, "f").expect_err("twice"),
        "`f` found 2 times: name it more precisely"
    );
    assert!(find("fn f() { \"oops }", "f").is_err());
}

#[test]
fn a_replaced_body_keeps_the_indentation_and_the_rest_of_the_file() {
    let item = "impl Wake for TaskWaker: wake_by_ref";
    let body = find(SOURCE, item).expect("found");
    let replaced = body.replaced(SOURCE, "todo!(\"queue it\")");
    assert!(
        replaced.contains(
            "    fn wake_by_ref(self: &Arc<Self>) {\n        todo!(\"queue it\")\n    }\n}"
        )
    );
    let again = find(&replaced, item).expect("still found");
    assert!(again.is_todo(&replaced));
    assert!(!body.is_todo(SOURCE));
    assert_eq!(
        replaced.len() - again.text(&replaced).len(),
        SOURCE.len() - body.text(SOURCE).len()
    );
}

#[test]
fn a_todo_in_a_string_or_a_comment_is_not_a_todo() {
    let source = "fn f() {\n    // todo!() later\n    let _ = \"todo!()\";\n}\n";
    assert!(!find(source, "f").expect("f").is_todo(source));
    let source = "fn f() -> u8 {\n    if true { 1 } else { todo!() }\n}\n";
    assert!(find(source, "f").expect("f").is_todo(source));
}

#[test]
fn a_function_that_returns_impl_trait_is_told_apart() {
    let returns = |source: &str| find(source, "f").expect("f").returns_impl;
    assert!(returns(
        "fn f() -> impl Future<Output = ()> + 'static { async {} }"
    ));
    assert!(returns(
        "fn f<'a>(x: &'a u8) -> Box<impl Fn() -> u8> { todo() }"
    ));
    assert!(!returns("async fn f(x: impl Into<u8>) -> u8 { x.into() }"));
    assert!(!returns(
        "fn f<F>(g: F) -> u8 where F: Fn() -> u8, u8: From<u8> { g() }"
    ));
    assert!(!returns("fn f() -> Box<dyn Fn() -> u8> { todo() }"));
    assert!(
        find(SOURCE, "Loop::fire_due_timers")
            .expect("found")
            .returns_impl
    );
}

#[test]
fn a_body_given_back_dedented_is_the_file_as_it_was() {
    for item in [
        "run_task",
        "Loop::fire_due_timers",
        "impl Wake for TaskWaker: wake_by_ref",
    ] {
        let body = find(SOURCE, item).expect("found");
        let again = body.with_body(SOURCE, &body.dedented(SOURCE));
        assert_eq!(again, SOURCE, "{item}");
    }
}

#[test]
fn a_file_that_does_not_parse_says_where() {
    let error = find("fn f() {\n    let x = ;\n}\n", "f").expect_err("broken");
    assert!(
        error.starts_with("it does not parse as Rust (line 2, column"),
        "{error}"
    );
}
