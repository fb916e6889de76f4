//! The signed-in Exchange service account of each integration that uses delegated OAuth. The
//! refresh token arrives here sealed; storage never sees it in clear.

use super::{Store, StoreError};
use crate::domain::IntegrationId;
use sqlx::Row;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExchangeAccount {
    pub sealed_refresh_token: String,
    /// The account's name as the identity platform gave it.
    pub account: Option<String>,
    /// Unix milliseconds.
    pub signed_in_at: i64,
    pub refreshed_at: Option<i64>,
    /// Why the account must sign in again, when it must.
    pub sign_in_required: Option<String>,
    pub sign_in_required_at: Option<i64>,
}

impl Store {
    pub async fn exchange_account(
        &self,
        integration: &IntegrationId,
    ) -> Result<Option<ExchangeAccount>, StoreError> {
        let row = sqlx::query(
            "SELECT sealed_refresh_token, account, signed_in_at, refreshed_at, \
             sign_in_required, sign_in_required_at FROM exchange_accounts WHERE integration = $1",
        )
        .bind(integration.as_str())
        .fetch_optional(self.pool())
        .await?;
        row.map(|row| {
            Ok(ExchangeAccount {
                sealed_refresh_token: row.try_get("sealed_refresh_token")?,
                account: row.try_get("account")?,
                signed_in_at: row.try_get("signed_in_at")?,
                refreshed_at: row.try_get("refreshed_at")?,
                sign_in_required: row.try_get("sign_in_required")?,
                sign_in_required_at: row.try_get("sign_in_required_at")?,
            })
        })
        .transpose()
    }

    /// A completed sign-in: replaces whatever was stored and clears any sign-in demand.
    pub async fn save_exchange_sign_in(
        &self,
        integration: &IntegrationId,
        sealed_refresh_token: &str,
        account: Option<&str>,
        now: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO exchange_accounts (integration, sealed_refresh_token, account, \
             signed_in_at, refreshed_at, sign_in_required, sign_in_required_at) \
             VALUES ($1, $2, $3, $4, NULL, NULL, NULL) ON CONFLICT (integration) DO UPDATE \
             SET sealed_refresh_token = $2, account = $3, signed_in_at = $4, \
             refreshed_at = NULL, sign_in_required = NULL, sign_in_required_at = NULL",
        )
        .bind(integration.as_str())
        .bind(sealed_refresh_token)
        .bind(account)
        .bind(now)
        .execute(self.writer())
        .await?;
        Ok(())
    }

    /// A successful refresh; `rotated` is the new sealed refresh token when the identity
    /// platform sent one. Only applies to the sign-in it was made with (`signed_in_at`), so a
    /// refresh racing a new sign-in cannot overwrite it.
    pub async fn save_exchange_refresh(
        &self,
        integration: &IntegrationId,
        signed_in_at: i64,
        rotated: Option<&str>,
        now: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE exchange_accounts SET \
             sealed_refresh_token = COALESCE($3, sealed_refresh_token), refreshed_at = $4 \
             WHERE integration = $1 AND signed_in_at = $2",
        )
        .bind(integration.as_str())
        .bind(signed_in_at)
        .bind(rotated)
        .bind(now)
        .execute(self.writer())
        .await?;
        Ok(())
    }

    /// The identity platform refused the stored sign-in: an admin must sign in again.
    pub async fn mark_exchange_sign_in_required(
        &self,
        integration: &IntegrationId,
        signed_in_at: i64,
        reason: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE exchange_accounts SET sign_in_required = $3, sign_in_required_at = $4 \
             WHERE integration = $1 AND signed_in_at = $2",
        )
        .bind(integration.as_str())
        .bind(signed_in_at)
        .bind(reason)
        .bind(now)
        .execute(self.writer())
        .await?;
        Ok(())
    }
}
