//! paycrypt's DataFusion functions across machines, with Apache Ballista.
//!
//! Three roles, one binary (`paycrypt-ballista`):
//! - **scheduler**: Ballista's own scheduler ([`ballista_scheduler`]), with paycrypt's functions known
//!   to its planner ([`planning_functions`]: signatures only, over an empty key store, so the scheduler
//!   holds no key);
//! - **executor**: Ballista's own executor ([`ballista_executor`]), with paycrypt's functions over the
//!   key store this process opened ([`executor_registry`]): keys never travel in query plans, each
//!   executor opens its own store (`--data-dir` and the master key in its environment, as every paycrypt
//!   command);
//! - **sql**: a client ([`client`]) that plans SQL with the same functions and submits it to the
//!   scheduler; results come back over Arrow Flight and are printed or written to one file, atomically
//!   ([`paycrypt_datafusion::results`]).

#![forbid(unsafe_code)]

use std::sync::Arc;

use ballista::prelude::{SessionConfigExt, SessionContextExt};
use ballista_core::registry::BallistaFunctionRegistry;
use ballista_core::utils::default_session_builder;
use datafusion::execution::FunctionRegistry;
use datafusion::execution::SessionStateBuilder;
use datafusion::logical_expr::ScalarUDF;
use datafusion::prelude::{SessionConfig, SessionContext};
use paycrypt::keys::{KeyStore, MemoryStore};
use paycrypt::service::Settings;
use paycrypt_datafusion::Services;

/// paycrypt's functions for planning only: names, signatures and return types, over an empty
/// in-memory key store. The scheduler and the client plan with these; only executors run functions, over
/// their own stores. (The functions are `Stable`, so no planner folds them into constants.)
pub fn planning_functions() -> Vec<ScalarUDF> {
    paycrypt_datafusion::all_functions(&Services::new(MemoryStore::new(), Settings::default()))
}

/// The scheduler's session builder: Ballista's default session with [`planning_functions`].
///
/// # Errors
/// DataFusion's, from building the default session.
pub fn scheduler_session(
    config: SessionConfig,
) -> datafusion::error::Result<datafusion::execution::SessionState> {
    let mut state = default_session_builder(config)?;
    for f in planning_functions() {
        state.register_udf(Arc::new(f))?;
    }
    Ok(state)
}

/// The executor's function registry: Ballista's default functions and paycrypt's over `services`.
pub fn executor_registry<S: KeyStore + Send + Sync + 'static>(
    services: &Services<S>,
) -> BallistaFunctionRegistry {
    let mut registry = BallistaFunctionRegistry::default();
    for f in paycrypt_datafusion::all_functions(services) {
        registry.scalar_functions.insert(f.name().to_owned(), Arc::new(f));
    }
    registry
}

/// A session that plans with [`planning_functions`] and runs its queries on the Ballista scheduler at
/// `url` (`df://host:port`).
///
/// # Errors
/// DataFusion's: a malformed URL or no scheduler there.
pub async fn client(url: &str) -> datafusion::error::Result<SessionContext> {
    let state = SessionStateBuilder::new()
        .with_config(SessionConfig::new_with_ballista())
        .with_default_features()
        .build();
    // Ballista's upgrade of the state resets its scalar functions: register ours on the context it gives.
    let ctx = SessionContext::remote_with_state(url, state).await?;
    for f in planning_functions() {
        ctx.register_udf(f);
    }
    Ok(ctx)
}
