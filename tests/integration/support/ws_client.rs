//! A WebSocket client of the chat on `json.webpubsub.azure.v1`, sending what the original
//! client sends, with a typed helper per chat event and waits that fail after 10 s.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

const SUBPROTOCOL: &str = "json.webpubsub.azure.v1";
/// How long a client waits for a frame.
const FRAME_TIMEOUT: Duration = Duration::from_secs(10);

/// A connected client.
pub struct Client {
    pub ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    /// Who this is, for failure messages.
    pub user: String,
    pub connection_id: String,
}

/// The data of a server message whose data is a JSON string (`chatCreated`, `userOnline`, …).
pub fn chat_data(frame: &Value) -> Value {
    serde_json::from_str(frame["data"]["data"].as_str().expect("a JSON string")).expect("JSON")
}

impl Client {
    /// Opens the client access URL of a token, as `user_id`, and reads the `connected` frame.
    pub async fn connect(access_url: &str, label: &str, user_id: &str) -> Self {
        let mut request = access_url
            .replace("localhost", "127.0.0.1")
            .into_client_request()
            .expect("request");
        request.headers_mut().insert(
            "sec-websocket-protocol",
            SUBPROTOCOL.parse().expect("header"),
        );
        let (ws, response) = tokio_tungstenite::connect_async(request)
            .await
            .expect("connect");
        assert_eq!(response.headers()["sec-websocket-protocol"], SUBPROTOCOL);
        let mut client = Client {
            ws,
            user: label.to_string(),
            connection_id: String::new(),
        };
        let connected = client.next().await;
        assert_eq!(connected["event"], "connected");
        assert_eq!(connected["userId"], user_id);
        client.connection_id = connected["connectionId"].as_str().expect("id").to_string();
        client
    }

    /// The next JSON frame (fails after 10 s).
    pub async fn next(&mut self) -> Value {
        loop {
            let message = tokio::time::timeout(FRAME_TIMEOUT, self.ws.next())
                .await
                .unwrap_or_else(|_| panic!("{}: no frame within 10 s", self.user))
                .expect("socket open")
                .expect("frame");
            if let Message::Text(text) = message {
                return serde_json::from_str(&text).expect("JSON frame");
            }
        }
    }

    /// The next frame that satisfies `pred`, skipping others.
    pub async fn until(&mut self, pred: impl Fn(&Value) -> bool) -> Value {
        loop {
            let frame = self.next().await;
            if pred(&frame) {
                return frame;
            }
        }
    }

    /// The next server message with this `chatEvent`.
    pub async fn chat_event(&mut self, event: &str) -> Value {
        self.until(|f| f["from"] == "server" && f["data"]["chatEvent"] == event)
            .await
    }

    /// The next `userOnline` about this user id.
    pub async fn user_online(&mut self, user_id: &str) -> Value {
        self.until(|f| {
            f["data"]["chatEvent"] == "userOnline"
                && f["data"]["data"]
                    .as_str()
                    .is_some_and(|d| d.contains(user_id))
        })
        .await
    }

    /// The next ack frame.
    pub async fn ack(&mut self) -> Value {
        self.until(|f| f["type"] == "ack").await
    }

    /// Sends a JSON frame.
    pub async fn send(&mut self, frame: Value) {
        self.ws
            .send(Message::text(frame.to_string()))
            .await
            .expect("send");
    }

    /// Sends a user event as the original client does.
    pub async fn event(&mut self, name: &str, data_type: &str, data: Value) {
        self.send(json!({"type": "event", "event": name, "dataType": data_type, "data": data}))
            .await;
    }

    /// `userConnected` with a body the handler must ignore.
    pub async fn user_connected(&mut self, body: Value) {
        self.event("userConnected", "json", body).await;
    }

    /// `createChat` `{name, id}`.
    pub async fn create_chat(&mut self, id: &str, name: &str) {
        self.event("createChat", "json", json!({"name": name, "id": id}))
            .await;
    }

    /// `joinChat` (the id as text).
    pub async fn join_chat(&mut self, id: &str) {
        self.event("joinChat", "text", json!(id)).await;
    }

    /// `deleteChat` (the id as text).
    pub async fn delete_chat(&mut self, id: &str) {
        self.event("deleteChat", "text", json!(id)).await;
    }

    /// `createPrivateChat` `{initiatorUserId, targetUserId}`.
    pub async fn create_private_chat(&mut self, initiator: &str, target: &str) {
        let body = json!({"initiatorUserId": initiator, "targetUserId": target});
        self.event("createPrivateChat", "json", body).await;
    }

    /// `sendMessage` `{chatId, text}`, and the server's answer to it: the stored message, or
    /// the `actionRefused` about it.
    pub async fn send_message(&mut self, chat: &str, text: &str) -> Value {
        self.event("sendMessage", "json", json!({"chatId": chat, "text": text}))
            .await;
        let answer = self
            .until(|f| {
                f["from"] == "server"
                    && (f["data"]["message"] == text || f["data"]["chatEvent"] == "actionRefused")
            })
            .await;
        answer["data"].clone()
    }

    /// `userEnterIdle` / `userExitIdle` (the text body, a user id, is ignored).
    pub async fn idle(&mut self, idle: bool, body: &str) {
        let name = if idle {
            "userEnterIdle"
        } else {
            "userExitIdle"
        };
        self.event(name, "text", json!(body)).await;
    }

    /// A ping, and the next frame that is its pong or matches `other`: proves that no such
    /// frame came before the pong.
    pub async fn pong_or(&mut self, other: impl Fn(&Value) -> bool) -> Value {
        self.send(json!({"type": "ping"})).await;
        self.until(|f| f["type"] == "pong" || other(f)).await
    }
}
