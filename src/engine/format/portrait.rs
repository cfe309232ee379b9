//! What a buyer's `portrait` may be: a plain relative path to a PNG or JPEG inside the assets
//! folder. Anything else (a `..`, an absolute path, an asset source such as `x://`, a label
//! after `#`) could reach outside the folder or make the window's asset loader fail.

/// Why a portrait path is not a plain relative path to an image, or `None` when it is one.
pub fn portrait_problem(path: &str) -> Option<&'static str> {
    if path.trim().is_empty() {
        return Some("it is empty");
    }
    if path.starts_with('/') || path.starts_with('\\') {
        return Some("it is an absolute path");
    }
    if path.contains(':') {
        return Some("it has a `:` (a drive, a scheme such as `https://`, or an asset source)");
    }
    if path.contains('#') {
        return Some("it has a `#`");
    }
    if path.contains('\\') {
        return Some("it uses `\\`; write folders with `/`");
    }
    if path.chars().any(char::is_control) {
        return Some("it has a control character");
    }
    if path
        .split('/')
        .any(|part| part == ".." || part == "." || part.is_empty())
    {
        return Some("it has an empty, `.` or `..` part");
    }
    let lower = path.to_ascii_lowercase();
    if ![".png", ".jpg", ".jpeg"]
        .iter()
        .any(|ext| lower.ends_with(ext))
    {
        return Some("it is not a `.png` or `.jpg` file");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::portrait_problem;

    #[test]
    fn only_plain_relative_image_paths_are_portraits() {
        for good in ["portraits/marta.png", "a.jpg", "team/x/Y.JPEG"] {
            assert_eq!(portrait_problem(good), None, "{good}");
        }
        for bad in [
            "",
            "x.png#",
            "://x.png",
            "../x.png",
            "/etc/x.png",
            "C:/x.png",
            "a\\b.png",
            "a//b.png",
            "./a.png",
            "x.gif",
            "https://example.com/x.png",
            "a/../../b.png",
        ] {
            assert!(portrait_problem(bad).is_some(), "{bad}");
        }
    }
}
