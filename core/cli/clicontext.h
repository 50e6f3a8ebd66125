#pragma once

#include "commanderror.h"
#include "inventory/inventorystore.h"
#include "workspace/workspace.h"
#include "output.h"
#include "passwordreader.h"
#include "vault/vault.h"

#include <QCoreApplication>

#include <memory>

namespace rd {

// What every command works with: the inventory of the chosen data directory (opened on first
// use), its vault, the output, and the password sources. Also the look-ups by name that turn
// "no such thing" into exit code 4.
class CliContext
{
    Q_DECLARE_TR_FUNCTIONS(CliContext)

public:
    CliContext(QString dataDir, bool json, bool passwordStdin);
    CliContext(const CliContext &) = delete;
    CliContext &operator=(const CliContext &) = delete;

    const Output &out() const { return m_output; }
    PasswordReader &passwords() { return m_passwords; }
    QString dataDir() const { return m_dataDir; }

    // The data directory's workspace, opened on first use.
    CommandResult<Workspace *> workspace();
    CommandResult<InventoryStore *> store();
    CommandResult<KnownHosts *> knownHosts();
    CommandResult<Vault *> vault();
    // Asks for the master password (RELEASEDESK_VAULT_PASSWORD, stdin or prompt) and unlocks.
    CommandResult<Vault *> unlockedVault();
    // Asks for the master password only when one of the servers signs in with a key kept in the vault.
    CommandResult<> unlockVaultFor(const QList<Server> &servers);

    CommandResult<SshKey> findKey(const QString &name);
    CommandResult<Server> findServer(const QString &name);
    CommandResult<Project> findProject(const QString &name);
    // "PROJECT/ENV"
    CommandResult<Environment> findEnvironment(const QString &path);
    CommandResult<HookTemplate> findHook(const QString &title);

    // Exit 3 when the name breaks the naming rule; exit 6 when `existingId` is taken by another entry.
    static CommandResult<> checkNewName(const QString &name, qint64 existingId, qint64 selfId,
                                        const QString &what);
    static CommandResult<> checkFields(const QList<Error> &errors);
    // A failure reported by the store after our own checks passed: a field problem is invalid
    // input, anything else is a runtime failure.
    static CommandError fromStore(const Error &error);
    // A wrong master password is exit 5; an unusable new one is invalid input.
    static CommandError vaultFailure(const Error &error);
    static CommandResult<int> integer(const QString &text, const QString &field, int minimum, int maximum);

private:
    QString m_dataDir;
    Output m_output;
    PasswordReader m_passwords;
    std::unique_ptr<Workspace> m_workspace;
};

} // namespace rd
