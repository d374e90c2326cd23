//! `Client::from_env` reads GH_TOKEN, then GITHUB_TOKEN, and GITHUB_API_URL; nothing else
//! reads the environment. One test in its own file (its own process): it changes the
//! environment, which would race with tests running beside it.

#[test]
fn from_env_reads_gh_token_then_github_token_and_the_api_url() {
    // SAFETY (edition 2024 marks these unsafe): this process runs this one test, on one thread.
    unsafe {
        std::env::set_var("GH_TOKEN", "");
        std::env::set_var("GITHUB_TOKEN", "ghp_from_github_token");
        std::env::set_var("GITHUB_API_URL", "https://ghe.example.com/api/v3/");
    }
    let client =
        agent_tasks::Client::from_env().expect("GITHUB_TOKEN is used when GH_TOKEN is empty");
    assert_eq!(client.base_url(), "https://ghe.example.com/api/v3");

    unsafe {
        std::env::set_var("GH_TOKEN", "ghs_installation_token");
    }
    let e =
        agent_tasks::Client::from_env().expect_err("GH_TOKEN wins, and is an installation token");
    assert!(
        matches!(
            e,
            agent_tasks::Error::Token(agent_tasks::error::TokenProblem::Installation)
        ),
        "{e:?}"
    );

    unsafe {
        std::env::remove_var("GH_TOKEN");
        std::env::remove_var("GITHUB_TOKEN");
        std::env::remove_var("GITHUB_API_URL");
    }
    let e = agent_tasks::Client::from_env().expect_err("no token anywhere");
    assert!(e.to_string().contains("token"), "{e}");
    assert!(e.is_auth(), "{e:?}");

    // Whitespace around a variable's value (a newline from `echo`) is trimmed, as the CLI does.
    unsafe {
        std::env::set_var("GH_TOKEN", " ghp_padded\n");
    }
    agent_tasks::Client::from_env().expect("the trimmed token is used");
    unsafe {
        std::env::set_var("GH_TOKEN", "  ");
        std::env::remove_var("GITHUB_TOKEN");
    }
    let e = agent_tasks::Client::from_env().expect_err("a blank GH_TOKEN counts as unset");
    assert!(matches!(
        e,
        agent_tasks::Error::Token(agent_tasks::error::TokenProblem::Missing)
    ));
    unsafe {
        std::env::remove_var("GH_TOKEN");
    }

    // The builder never reads the environment behind the caller's back.
    unsafe {
        std::env::set_var("GITHUB_API_URL", "http://10.1.2.3");
    }
    let client = agent_tasks::Client::builder()
        .token("ghp_x")
        .build()
        .expect("the default URL");
    assert_eq!(client.base_url(), agent_tasks::client::DEFAULT_BASE_URL);
}
