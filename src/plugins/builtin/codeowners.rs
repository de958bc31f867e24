//! `codeowners`: who owns each entity's code, by GitHub's CODEOWNERS rules.

use super::{BuiltIn, Input};
use crate::plugins::protocol::{PROTOCOL, Response};

pub const PLUGIN: BuiltIn =
    BuiltIn { id: "codeowners", version: "1", inputs: &["CODEOWNERS", ".github/CODEOWNERS", "docs/CODEOWNERS"], run };

fn run(_input: &Input) -> Response {
    Response { protocol: PROTOCOL, ..Response::default() }
}
