//! `POST /agents/repos/{owner}/{repo}/tasks`: validates the body as GitHub does (400 for
//! JSON that does not parse, 422 naming the field for a missing or mistyped one) and stores
//! the task, whose outcome comes from the scripts.

use hyper::StatusCode;
use serde_json::{Map, Value, json};

use crate::answer::Answer;
use crate::auth::Caller;
use crate::model::StoredTask;
use crate::store::Store;

use super::request::Request;

/// Creates a task in `owner/repo` for `caller`.
pub(super) fn create(
    store: &mut Store,
    owner: &str,
    repo: &str,
    req: &Request,
    caller: &Caller,
) -> Answer {
    let Some(repo) = store.find_repo(owner, repo).cloned() else {
        return Answer::not_found();
    };
    let Ok(Value::Object(fields)) = serde_json::from_slice::<Value>(req.body) else {
        return Answer::error(StatusCode::BAD_REQUEST, "Problems parsing JSON");
    };
    let body = match Body::parse(&fields) {
        Ok(body) => body,
        Err(answer) => return answer,
    };
    let number = store.next_task_number();
    let task = StoredTask {
        number,
        id: StoredTask::id_for(number),
        repo,
        creator_id: caller.id,
        outcome: store.outcome_for(&body.prompt),
        prompt: body.prompt,
        model: body.model,
        custom_agent: body.custom_agent,
        base_ref: body.base_ref,
        head_ref: body.head_ref,
        create_pull_request: body.create_pull_request,
        created_at: req.now,
        schedule: store.schedule(),
        archived_at: None,
    };
    if let Err(message) = store.room_for(task.text_bytes()) {
        return Answer::validation(
            json!([{"resource": "Task", "field": "prompt", "code": "custom", "message": message}]),
        );
    }
    let rendered = task.render(req.now, req.base);
    store.insert(task);
    Answer::json(StatusCode::CREATED, &rendered)
}

/// The fields of a creation.
struct Body {
    prompt: String,
    model: Option<String>,
    custom_agent: Option<String>,
    base_ref: Option<String>,
    head_ref: Option<String>,
    create_pull_request: bool,
}

impl Body {
    fn parse(fields: &Map<String, Value>) -> Result<Body, Answer> {
        let prompt = match fields.get("prompt") {
            None => {
                return Err(Answer::validation(
                    json!([{"resource": "Task", "field": "prompt", "code": "missing_field"}]),
                ));
            }
            Some(Value::String(p)) if p.trim().is_empty() => {
                return Err(Answer::validation(
                    json!([{"resource": "Task", "field": "prompt", "code": "custom", "message": "prompt must not be blank"}]),
                ));
            }
            Some(Value::String(p)) => p.clone(),
            Some(_) => return Err(Answer::invalid("Task", "prompt")),
        };
        let text = |name: &str| -> Result<Option<String>, Answer> {
            match fields.get(name) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.clone())),
                Some(_) => Err(Answer::invalid("Task", name)),
            }
        };
        let (model, custom_agent) = (text("model")?, text("custom_agent")?);
        let (base_ref, head_ref) = (text("base_ref")?, text("head_ref")?);
        let create_pull_request = match fields.get("create_pull_request") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(_) => return Err(Answer::invalid("Task", "create_pull_request")),
        };
        Ok(Body {
            prompt,
            model,
            custom_agent,
            base_ref,
            head_ref,
            create_pull_request,
        })
    }
}
