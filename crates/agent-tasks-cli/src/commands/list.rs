//! `agent-tasks list [OWNER/REPO]`: a repository's tasks, or all of the user's.

use agent_tasks::TaskState;
use agent_tasks::list::{ListScope, ListTasks, SortDirection, TaskSort};
use chrono::Utc;
use clap::{Args as ClapArgs, ValueEnum};

use crate::args::{Global, RepoOption};
use crate::exit::{self, Failure};
use crate::output::Out;
use crate::{auth, parse};

/// The arguments of `agent-tasks list`.
#[derive(ClapArgs, Debug)]
pub struct List {
    /// The repository, as OWNER/REPO; without it (and without -R), all of your tasks.
    #[arg(value_name = "OWNER/REPO")]
    pub positional: Option<String>,
    #[command(flatten)]
    pub repo: RepoOption,
    /// Only these states, comma-separated, any case.
    #[arg(
        long,
        short = 's',
        value_delimiter = ',',
        value_name = "STATE,...",
        value_parser = state_names(),
        ignore_case = true
    )]
    pub state: Vec<String>,
    /// Only tasks updated since: an RFC 3339 time, a date, or a duration ago (24h, 7d).
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,
    /// Only archived tasks.
    #[arg(long)]
    pub archived: bool,
    /// Only tasks created by this user id, or `@me` (repeatable; with a repository only).
    #[arg(long = "creator", value_name = "ID|@me")]
    pub creators: Vec<String>,
    /// Sort by.
    #[arg(long, value_enum, default_value_t = SortBy::Updated)]
    pub sort: SortBy,
    /// Sort direction.
    #[arg(long, value_enum, default_value_t = Dir::Desc)]
    pub direction: Dir,
    /// At most this many tasks.
    #[arg(long, short = 'L', default_value_t = 30)]
    pub limit: usize,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum SortBy {
    Created,
    Updated,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum Dir {
    Asc,
    Desc,
}

pub async fn run(args: &List, global: &Global, out: &Out) -> Result<u8, Failure> {
    // clap took only the names of `TaskState::KNOWN`, in any case.
    let states: Vec<TaskState> = args
        .state
        .iter()
        .map(|s| TaskState::from(s.to_ascii_lowercase().as_str()))
        .collect();
    if args.limit == 0 {
        return Err(Failure::usage("--limit must be at least 1"));
    }
    let since = args
        .since
        .as_deref()
        .map(|s| parse::since(s, Utc::now()))
        .transpose()
        .map_err(Failure::usage)?;
    let target =
        crate::repository::resolve(args.positional.as_deref(), &args.repo, global, false).await?;
    if target.is_none() && !args.creators.is_empty() {
        return Err(Failure::usage(
            "--creator needs OWNER/REPO (the API filters by creator per repository only)",
        ));
    }
    let mut creators = Vec::new();
    for c in &args.creators {
        if c != "@me" {
            creators.push(c.parse::<i64>().map_err(|_| {
                Failure::usage(format!(
                    "--creator takes a user id or @me, not `{}`",
                    crate::text::inert(c)
                ))
            })?);
        }
    }
    let client = auth::client(global).await?;
    if args.creators.iter().any(|c| c == "@me") {
        creators.push(client.current_user().await?.id);
    }
    let (tasks, total, more, now) = match target {
        Some((owner, name)) => {
            let list = client.repo(owner, name).list_tasks().creator_ids(creators);
            fetch(filtered(list, args, &states, since), args).await?
        }
        None => fetch(filtered(client.list_tasks(), args, &states, since), args).await?,
    };
    let prs = crate::pulls::resolve_all(&client, &tasks).await;
    out.list(&tasks, &prs, total, now)?;
    if more && total.is_none() && !out.is_json() {
        crate::output::line(&format!(
            "\nShowing the first {}; -L to see more",
            tasks.len()
        ));
    }
    Ok(exit::OK)
}

fn filtered<S: ListScope>(
    list: ListTasks<S>,
    args: &List,
    states: &[TaskState],
    since: Option<chrono::DateTime<Utc>>,
) -> ListTasks<S> {
    let mut list = list
        .states(states.to_vec())
        .sort(match args.sort {
            SortBy::Created => TaskSort::CreatedAt,
            SortBy::Updated => TaskSort::UpdatedAt,
        })
        .direction(match args.direction {
            Dir::Asc => SortDirection::Asc,
            Dir::Desc => SortDirection::Desc,
        });
    if args.archived {
        list = list.archived(true);
    }
    if let Some(t) = since {
        list = list.since(t);
    }
    list
}

/// The states `--state` takes: the API's vocabulary (shown in `--help`, offered by completion).
fn state_names() -> clap::builder::PossibleValuesParser {
    clap::builder::PossibleValuesParser::new(
        TaskState::KNOWN
            .iter()
            .map(|s| clap::builder::PossibleValue::new(s.as_str())),
    )
}

/// Up to `--limit` tasks; how many the listing has in all, when the API says and no filter
/// narrows it; whether more exist; and "now" by the server's clock (for "updated 5m ago",
/// right even against a fake whose clock runs fast).
async fn fetch<S: ListScope>(
    list: ListTasks<S>,
    args: &List,
) -> Result<
    (
        Vec<agent_tasks::Task>,
        Option<u64>,
        bool,
        chrono::DateTime<Utc>,
    ),
    Failure,
> {
    // One walk across pages, by the SDK's rules: no page is guessed, no task repeated.
    let per_page = u32::try_from(args.limit.min(100)).unwrap_or(100);
    let mut stream = list.per_page(per_page).limit(args.limit).stream();
    let mut tasks = Vec::new();
    while let Some(task) = stream.try_next().await? {
        tasks.push(task);
    }
    let first = stream.first_page();
    let now = first.and_then(|f| f.date).unwrap_or_else(Utc::now);
    let total = first.and_then(|f| {
        if args.archived {
            f.total_archived_count
        } else {
            f.total_active_count
        }
    });
    // The totals count the whole listing, so they say "of how many" only without filters.
    let unfiltered = args.state.is_empty() && args.since.is_none() && args.creators.is_empty();
    Ok((tasks, total.filter(|_| unfiltered), stream.cut_short(), now))
}
