//! The emulator's client frames: any text is answered, and a frame that parses is one the
//! protocol knows.

use chatr::emulator::protocol::ClientFrame;
use proptest::prelude::*;

proptest! {
    #[test]
    fn any_json_shaped_text_is_answered(
        kind in "joinGroup|leaveGroup|sendToGroup|event|sequenceAck|ping|[a-z]{0,12}",
        group in proptest::option::of("[ -~]{0,40}"),
        ack in proptest::option::of(any::<i64>()),
        data_type in "text|json|binary|protobuf|[a-z]{0,8}",
        data in "[ -~]{0,60}",
    ) {
        let mut frame = serde_json::json!({"type": kind, "dataType": data_type, "data": data});
        if let Some(g) = group { frame["group"] = g.into(); }
        if let Some(a) = ack { frame["ackId"] = a.into(); }
        let _ = ClientFrame::parse(&frame.to_string());
    }

    #[test]
    fn any_bytes_as_text_are_answered(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let _ = ClientFrame::parse(&String::from_utf8_lossy(&bytes));
    }
}
