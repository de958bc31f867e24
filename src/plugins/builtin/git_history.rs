//! `git-history`: when and by whom each entity's directory changed, from one `git log` pass.

use super::{BuiltIn, Input};
use crate::plugins::protocol::{PROTOCOL, Response};

pub const PLUGIN: BuiltIn = BuiltIn { id: "git-history", version: "1", inputs: &[], run };

fn run(_input: &Input) -> Response {
    Response { protocol: PROTOCOL, ..Response::default() }
}
