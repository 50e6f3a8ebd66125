#include "vaultcommands.h"

#include "clicontext.h"

namespace rd {

namespace {

QString opt(const char *name)
{
    return QString::fromLatin1(name);
}

const QString MasterVariable = QStringLiteral("RELEASEDESK_VAULT_PASSWORD");
const QString NewMasterVariable = QStringLiteral("RELEASEDESK_NEW_VAULT_PASSWORD");

CommandResult<> status(CliContext &context, const QCommandLineParser &, const QStringList &)
{
    auto vault = context.vault();
    if (!vault)
        return std::unexpected(vault.error());
    auto secrets = (*context.store())->sealedSecrets();
    if (!secrets)
        return std::unexpected(CliContext::fromStore(secrets.error()));
    const bool initialized = (*vault)->isInitialized();
    const QJsonObject object{{QStringLiteral("initialized"), initialized},
                             {QStringLiteral("sealedSecrets"), int(secrets->size())}};
    if (context.out().isJson()) {
        context.out().done(QString(), object);
        return {};
    }
    context.out().record({{opt("initialized"), VaultCommands::tr("Initialized")},
                          {opt("sealedSecrets"), VaultCommands::tr("Sealed secrets")}},
                         object);
    if (!initialized)
        context.out().text(VaultCommands::tr("Create the vault with: releasedesk-cli vault init"));
    return {};
}

CommandResult<> init(CliContext &context, const QCommandLineParser &, const QStringList &)
{
    auto vault = context.vault();
    if (!vault)
        return std::unexpected(vault.error());
    if ((*vault)->isInitialized())
        return commandFailure(ExitCode::Conflict,
                              VaultCommands::tr("The vault already has a master password."),
                              VaultCommands::tr("Change it with: releasedesk-cli vault passwd"));
    auto password = context.passwords().read(MasterVariable, VaultCommands::tr("New master password"), true,
                                             ExitCode::Vault);
    if (!password)
        return std::unexpected(password.error());
    if (auto done = (*vault)->initialize(password->view()); !done)
        return std::unexpected(CliContext::fromStore(done.error()));
    context.out().done(
        VaultCommands::tr("The vault is ready; keep the master password safe, it cannot be recovered."),
        QJsonObject{{QStringLiteral("initialized"), true}});
    return {};
}

CommandResult<> unlock(CliContext &context, const QCommandLineParser &, const QStringList &)
{
    auto vault = context.unlockedVault();
    if (!vault)
        return std::unexpected(vault.error());
    context.out().done(VaultCommands::tr("The master password is right."),
                       QJsonObject{{QStringLiteral("unlocked"), true}});
    return {};
}

CommandResult<> passwd(CliContext &context, const QCommandLineParser &, const QStringList &)
{
    auto vault = context.vault();
    if (!vault)
        return std::unexpected(vault.error());
    if (!(*vault)->isInitialized())
        return commandFailure(ExitCode::Vault, VaultCommands::tr("The vault is not initialized."),
                              VaultCommands::tr("Create it first with: releasedesk-cli vault init"));
    auto oldPassword = context.passwords().read(MasterVariable, VaultCommands::tr("Current master password"),
                                                false, ExitCode::Vault);
    if (!oldPassword)
        return std::unexpected(oldPassword.error());
    // Checked before asking for the new one, so a typo is caught early.
    if (auto unlocked = (*vault)->unlock(oldPassword->view()); !unlocked)
        return std::unexpected(CliContext::vaultFailure(unlocked.error()));
    auto newPassword = context.passwords().read(NewMasterVariable, VaultCommands::tr("New master password"),
                                                true, ExitCode::Usage);
    if (!newPassword)
        return std::unexpected(newPassword.error());
    if (auto changed = (*vault)->changePassword(oldPassword->view(), newPassword->view()); !changed)
        return std::unexpected(CliContext::vaultFailure(changed.error()));
    context.out().done(VaultCommands::tr("The master password was changed."),
                       QJsonObject{{QStringLiteral("changed"), true}});
    return {};
}

} // namespace

CommandGroup VaultCommands::group()
{
    return CommandGroup{opt("vault"),
                        tr("The vault that seals stored private keys under the master password"),
                        {
                            {opt("status"),
                             QString(),
                             tr("Say whether the vault is initialized and how many secrets it holds."),
                             {},
                             0,
                             0,
                             status},
                            {opt("init"),
                             QString(),
                             tr("Choose the master password (RELEASEDESK_VAULT_PASSWORD, stdin or prompt)."),
                             {},
                             0,
                             0,
                             init},
                            {opt("unlock"), QString(), tr("Check the master password."), {}, 0, 0, unlock},
                            {opt("passwd"),
                             QString(),
                             tr("Change the master password: the current one (RELEASEDESK_VAULT_PASSWORD or "
                                "the first line), then "
                                "the new one (RELEASEDESK_NEW_VAULT_PASSWORD or the next line)."),
                             {},
                             0,
                             0,
                             passwd},
                        }};
}

} // namespace rd
