//! Replies: the status, the API whose content type and error shape they take, the JSON body, and
//! the HTTP response they become (with `x-amzn-RequestId` and `x-amzn-ErrorType`).

use http_body_util::Full;
use hyper::Response;
use hyper::StatusCode;
use hyper::body::Bytes;
use hyper::header::{CONTENT_TYPE, HeaderValue};
use serde_json::{Value, json};

use crate::server::Api;
use crate::service::kms::KmsError;
use crate::service::{Plane, ServiceError};

/// One reply: status, the API whose content type and error shape it has, and the JSON body.
pub(super) struct Reply {
    pub(super) status: u16,
    api: Api,
    error_type: Option<String>,
    body: Value,
}

impl Reply {
    pub(super) fn ok(api: Api, body: Value) -> Self {
        Reply { status: 200, api, error_type: None, body }
    }

    /// A reply of `status` whose body is not an AWS error shape (the flow actions' failure output).
    pub(super) fn plain(api: Api, status: u16, body: Value) -> Self {
        Reply { status, api, error_type: None, body }
    }

    pub(super) fn error(api: Api, status: u16, exception: &str, mut body: Value) -> Self {
        if let Value::Object(map) = &mut body {
            map.insert("__type".into(), Value::String(exception.to_owned()));
        }
        Reply { status, api, error_type: Some(exception.to_owned()), body }
    }

    /// An error with only a message, in the member case of `api` (`message` on the data plane and
    /// KMS, `Message` on the control plane).
    pub(super) fn message(api: Api, status: u16, exception: &str, message: &str) -> Self {
        let member = if api == Api::Control { "Message" } else { "message" };
        Self::error(api, status, exception, json!({ member: message }))
    }

    pub(super) fn kms(e: &KmsError) -> Self {
        Self::error(Api::Kms, e.http_status(), e.exception(), e.body())
    }

    pub(super) fn service(api: Api, e: &ServiceError) -> Self {
        let plane = if api == Api::Data { Plane::Data } else { Plane::Control };
        Self::error(api, e.http_status(plane), e.exception(plane), e.body(plane))
    }
}

pub(super) fn bad_json(api: Api, e: &serde_json::Error) -> Reply {
    let exception = if api == Api::Data { "ValidationException" } else { "SerializationException" };
    Reply::message(api, 400, exception, &format!("The request body is not valid JSON: {e}."))
}

pub(super) fn unknown_operation(api: Api, name: &str) -> Reply {
    let service = api.service();
    Reply::message(
        api,
        501,
        "UnknownOperationException",
        &format!("Unknown operation: {name} is not a {service} operation that paycrypt serves."),
    )
}

/// The HTTP response for a reply.
pub(super) fn render(reply: Reply, request_id: &str) -> Response<Full<Bytes>> {
    let body = serde_json::to_vec(&reply.body).unwrap_or_else(|_| b"{}".to_vec());
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(reply.api.content_type()));
    if let Ok(id) = HeaderValue::from_str(request_id) {
        headers.insert("x-amzn-requestid", id);
    }
    if let Some(Ok(name)) = reply.error_type.as_deref().map(HeaderValue::from_str) {
        headers.insert("x-amzn-errortype", name);
    }
    response
}
