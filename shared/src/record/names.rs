//! Task names: what `std::any::type_name` says of a future, shortened to what a person calls it.

/// The name to show for a task added under `name`. A name that reads as a Rust type, as
/// `std::any::type_name` gives it, is shortened to the function or type it names:
///
/// - `talk03::print_messages::{{closure}}` (an `async fn`'s future) → `print_messages`;
/// - `step05::gather::gather<talk05::nap::{{closure}}>::{{closure}}` → `gather`;
/// - `<demo::Connection as step06::AsyncContextManager>::exit::{{closure}}` → `Connection::exit`;
/// - `core::future::pending::Pending<()>` → `Pending`.
///
/// Any other name is kept as it is (`client 127.0.0.1:50312`). `None` when there is no name
/// to give: an empty one, or a `dyn Future` (a boxed task has lost its type).
pub(crate) fn shorten(name: &str) -> Option<String> {
    let name = name.trim();
    if name.is_empty() || name.contains("dyn ") {
        return None;
    }
    if !reads_as_a_type(name) {
        return Some(name.to_owned());
    }
    // `<Type as Trait>::method`: keep `Type`, then read the path after it.
    let (owner, path) = match name.strip_prefix('<').and_then(|rest| split_at_close(rest)) {
        Some((qualified, path)) => {
            let owner = qualified.split(" as ").next().unwrap_or(qualified);
            (last_segment(&without_generics(owner)), path)
        }
        None => (None, name),
    };
    let last = last_segment(&without_generics(path));
    match (owner, last) {
        (Some(owner), Some(last)) => Some(format!("{owner}::{last}")),
        (owner, last) => last.or(owner),
    }
}

/// Whether `name` looks like what `type_name` returns rather than words: a path with `::` and
/// no spaces, except inside `<…>`.
fn reads_as_a_type(name: &str) -> bool {
    let outside = without_generics(name);
    name.contains("::") && !outside.contains(' ')
}

/// `rest` (what follows an opening `<`) split after its matching `>`: the inside, and what
/// follows.
fn split_at_close(rest: &str) -> Option<(&str, &str)> {
    let mut depth = 0usize;
    for (index, c) in rest.char_indices() {
        match c {
            '<' => depth += 1,
            '>' if depth == 0 => return Some((&rest[..index], &rest[index + 1..])),
            '>' => depth -= 1,
            _ => {}
        }
    }
    None
}

/// `name` without its `<…>` groups, however nested.
fn without_generics(name: &str) -> String {
    let mut depth = 0usize;
    let mut kept = String::new();
    for c in name.chars() {
        match c {
            '<' => depth += 1,
            '>' => depth = depth.saturating_sub(1),
            c if depth == 0 => kept.push(c),
            _ => {}
        }
    }
    kept
}

/// The last segment of a path that is not a closure (`{{closure}}`: an `async` block or
/// function's future, named after the function around it).
fn last_segment(path: &str) -> Option<String> {
    path.split("::")
        .map(str::trim)
        .filter(|segment| !segment.is_empty() && !segment.starts_with("{{"))
        .last()
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::shorten;

    #[test]
    fn type_names_shorten_to_what_a_person_calls_them() {
        let cases = [
            ("talk03::print_messages::{{closure}}", "print_messages"),
            (
                "step05_futures_timers::gather::gather<talk05::print_messages::{{closure}}>\
                 ::{{closure}}",
                "gather",
            ),
            (
                "<cancel_cleanup::Connection as step06::context::AsyncContextManager>::exit\
                 ::{{closure}}",
                "Connection::exit",
            ),
            ("core::future::pending::Pending<()>", "Pending"),
            ("talk05::main::{{closure}}::{{closure}}", "main"),
        ];
        for (type_name, short) in cases {
            assert_eq!(shorten(type_name).as_deref(), Some(short), "{type_name}");
        }
    }

    #[test]
    fn words_stay_and_nothing_is_no_name() {
        let given = "print_messages('aaa', 'bbb', 'ccc', sleep_time=0.7)";
        assert_eq!(shorten(given).as_deref(), Some(given));
        assert_eq!(
            shorten("client 127.0.0.1:50312").as_deref(),
            Some("client 127.0.0.1:50312")
        );
        assert_eq!(shorten(""), None);
        let boxed =
            "core::pin::Pin<alloc::boxed::Box<dyn core::future::future::Future<Output = ()>>>";
        assert_eq!(shorten(boxed), None);
        assert_eq!(
            shorten("dyn core::future::future::Future<Output = ()>"),
            None
        );
    }
}
