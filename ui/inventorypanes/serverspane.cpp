#include "serverspane.h"
#include "dialogs/connectioncheckdialog.h"
#include "dialogs/hostkeyscandialog.h"
#include "inventory/inventorystore.h"
#include "inventory/validator.h"
#include "inventorypanes/servertablemodel.h"
#include "vault/vault.h"
#include "dialogs/vaultpassworddialog.h"
#include "workspace/workspace.h"

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QIntValidator>
#include <QItemSelectionModel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QTableView>
#include <QToolButton>

namespace rd {

ServersPane::ServersPane(Workspace &workspace, QWidget *parent)
    : InventoryPane(workspace.store(), tr("Servers"),
                    tr("The hosts ReleaseDesk deploys to, with the key it logs in with. Select several to delete "
                       "them together, or drag them into an environment."),
                    parent),
      m_workspace(workspace), m_vault(workspace.vault()), m_servers(new ServerTableModel(this))
{
    setObjectName(QStringLiteral("serversPane"));
    m_name = new QLineEdit;
    m_name->setObjectName(QStringLiteral("nameEdit"));
    m_name->setPlaceholderText(tr("web-01"));
    m_host = new QLineEdit;
    m_host->setObjectName(QStringLiteral("hostEdit"));
    m_host->setPlaceholderText(tr("host name, IPv4 or IPv6 address"));
    m_port = new QLineEdit;
    m_port->setObjectName(QStringLiteral("portEdit"));
    m_port->setMaximumWidth(100);
    m_key = new QComboBox;
    m_key->setObjectName(QStringLiteral("keyComboBox"));
    m_username = new QLineEdit;
    m_username->setObjectName(QStringLiteral("usernameEdit"));
    m_username->setPlaceholderText(tr("empty: the key's user"));
    m_department = new QLineEdit;
    m_department->setObjectName(QStringLiteral("departmentEdit"));
    m_owner = new QLineEdit;
    m_owner->setObjectName(QStringLiteral("ownerEdit"));
    m_tags = new QLineEdit;
    m_tags->setObjectName(QStringLiteral("tagsEdit"));
    m_tags->setPlaceholderText(tr("comma separated, e.g. web, eu-west"));
    m_notes = new QPlainTextEdit;
    m_notes->setObjectName(QStringLiteral("notesEdit"));
    m_notes->setFixedHeight(m_notes->fontMetrics().height() * 4 + 12);
    m_enabled = new QCheckBox(tr("Deploy to this server"));
    m_enabled->setObjectName(QStringLiteral("enabledCheckBox"));

    QFormLayout *form = createForm();
    addField(form, tr("Name"), m_name, QStringLiteral("name"));
    addField(form, tr("Host"), m_host, QStringLiteral("host"));
    addField(form, tr("Port"), m_port, QStringLiteral("port"));
    addField(form, tr("Key"), m_key, QStringLiteral("keyId"));
    addField(form, tr("User name"), m_username, QStringLiteral("username"));
    addField(form, tr("Department"), m_department, QStringLiteral("department"));
    addField(form, tr("Owner"), m_owner, QStringLiteral("owner"));
    addField(form, tr("Tags"), m_tags, QStringLiteral("tags"));
    addField(form, tr("Notes"), m_notes, QStringLiteral("notes"));
    addField(form, tr("Enabled"), m_enabled, QStringLiteral("enabled"));
    setupStandardLayout(m_servers, form, tr("Filter by name, host, department, owner or tag"));

    for (QLineEdit *edit : {m_name, m_host, m_port, m_username, m_department, m_owner, m_tags})
        connect(edit, &QLineEdit::textChanged, this, &ServersPane::markEdited);
    connect(m_notes, &QPlainTextEdit::textChanged, this, &ServersPane::markEdited);
    connect(m_key, &QComboBox::currentIndexChanged, this, &ServersPane::markEdited);
    connect(m_enabled, &QCheckBox::toggled, this, &ServersPane::markEdited);

    m_checkAction = new QAction(tr("Check connection"), this);
    m_checkAction->setObjectName(QStringLiteral("checkConnectionAction"));
    m_checkAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_K));
    m_checkAction->setToolTip(tr("Connect to the selected servers, sign in and run `true` (%1)")
                                  .arg(m_checkAction->shortcut().toString(QKeySequence::NativeText)));
    m_scanAction = new QAction(tr("Scan host keys"), this);
    m_scanAction->setObjectName(QStringLiteral("scanHostKeysAction"));
    m_scanAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_K));
    m_scanAction->setToolTip(tr("Fetch the host keys of the selected servers to approve them together (%1)")
                                 .arg(m_scanAction->shortcut().toString(QKeySequence::NativeText)));
    connect(m_checkAction, &QAction::triggered, this, &ServersPane::checkConnection);
    connect(m_scanAction, &QAction::triggered, this, &ServersPane::scanHostKeys);

    auto *tools = new QWidget;
    auto *toolsLayout = new QHBoxLayout(tools);
    toolsLayout->setContentsMargins(0, 0, 0, 0);
    for (QAction *action : {m_checkAction, m_scanAction}) {
        action->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        addAction(action);
        m_table->addAction(action);
        auto *button = new QToolButton;
        button->setDefaultAction(action);
        button->setToolButtonStyle(Qt::ToolButtonTextOnly);
        toolsLayout->addWidget(button);
    }
    toolsLayout->addStretch(1);
    contentLayout()->insertWidget(0, tools);
    m_table->setContextMenuPolicy(Qt::ActionsContextMenu);
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this, &ServersPane::updateActions);
}

void ServersPane::reload()
{
    QHash<qint64, QString> keyNames;
    const qint64 keyOfForm = m_key->currentData().toLongLong();
    m_key->blockSignals(true);
    m_key->clear();
    m_key->addItem(tr("(none yet)"), qint64(0));
    if (auto keys = m_store.keys()) {
        for (const SshKey &key : *keys) {
            keyNames.insert(key.id, key.name);
            m_key->addItem(tr("%1 (%2)").arg(key.name, key.username), key.id);
        }
    } else {
        showStoreError(keys.error());
    }
    m_key->setCurrentIndex(qMax(0, m_key->findData(keyOfForm)));
    m_key->blockSignals(false);

    auto servers = m_store.servers();
    if (!servers) {
        showStoreError(servers.error());
        return;
    }
    m_servers->setServers(*servers, keyNames);
    setItemCountText(tr("%n server(s)", nullptr, itemCount()));
    afterReload();
    updateActions();
}

void ServersPane::updateActions()
{
    const bool any = !selectedIds().isEmpty() || m_currentId != 0;
    m_checkAction->setEnabled(any);
    m_scanAction->setEnabled(any);
}

QList<Server> ServersPane::chosenServers()
{
    QList<qint64> ids = selectedIds();
    if (ids.isEmpty() && m_currentId)
        ids.append(m_currentId);
    QList<Server> servers;
    for (qint64 id : ids) {
        auto server = m_store.server(id);
        if (!server) {
            showStoreError(server.error());
            return {};
        }
        servers.append(*server);
    }
    return servers;
}

void ServersPane::checkConnection()
{
    const QList<Server> servers = chosenServers();
    if (servers.isEmpty())
        return;
    // Stored keys are opened from the vault: ask for the master password only when one is used.
    if (m_vault.isInitialized() && !m_vault.isUnlocked() && m_workspace.needsVault(servers)) {
        // Cancel is allowed: those servers then fail with the vault's message, the others are checked.
        VaultPasswordDialog unlock(VaultPasswordDialog::Mode::Unlock, m_vault, this);
        unlock.exec();
        emit vaultStateChanged();
    }
    auto *dialog = new ConnectionCheckDialog(m_workspace, servers, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->show();
    dialog->start();
}

void ServersPane::scanHostKeys()
{
    const QList<Server> servers = chosenServers();
    if (servers.isEmpty())
        return;
    QList<HostKeyScanTarget> targets;
    for (const Server &server : servers)
        targets.append({server.name, server.host, server.port});
    auto *dialog = new HostKeyScanDialog(m_workspace.knownHosts(), targets, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->show();
    dialog->startScan();
}

int ServersPane::itemCount() const
{
    return m_servers->rowCount();
}

Server ServersPane::formServer(std::optional<Error> *portError) const
{
    Server server;
    server.id = m_currentId;
    server.name = m_name->text().trimmed();
    server.host = m_host->text().trimmed();
    int port = 22;
    *portError = Validator::port(m_port->text(), &port);
    server.port = port;
    server.keyId = m_key->currentData().toLongLong();
    server.username = m_username->text().trimmed();
    server.department = m_department->text().trimmed();
    server.owner = m_owner->text().trimmed();
    for (const QString &tag : m_tags->text().split(u',', Qt::SkipEmptyParts)) {
        if (!tag.trimmed().isEmpty())
            server.tags.append(tag.trimmed());
    }
    server.notes = m_notes->toPlainText();
    server.enabled = m_enabled->isChecked();
    return server;
}

QList<Error> ServersPane::validateForm() const
{
    std::optional<Error> portError;
    const Server server = formServer(&portError);
    QList<Error> errors;
    for (const Error &error : Validator::check(server)) {
        if (!portError || error.field != u"port")
            errors.append(error);
    }
    if (portError)
        errors.append(*portError);
    return errors;
}

void ServersPane::loadForm(qint64 id)
{
    Server server;
    if (id) {
        auto stored = m_store.server(id);
        if (!stored) {
            showStoreError(stored.error());
            return;
        }
        server = *stored;
    }
    m_name->setText(server.name);
    m_host->setText(server.host);
    m_port->setText(QString::number(server.port));
    m_key->setCurrentIndex(qMax(0, m_key->findData(server.keyId)));
    m_username->setText(server.username);
    m_department->setText(server.department);
    m_owner->setText(server.owner);
    m_tags->setText(server.tags.join(QStringLiteral(", ")));
    m_notes->setPlainText(server.notes);
    m_enabled->setChecked(server.enabled);
}

Result<qint64> ServersPane::saveForm(qint64 id)
{
    std::optional<Error> portError;
    const Server server = formServer(&portError);
    if (id == 0)
        return m_store.addServer(server);
    if (auto updated = m_store.updateServer(server); !updated)
        return std::unexpected(updated.error());
    return id;
}

Result<> ServersPane::removeItem(qint64 id)
{
    return m_store.removeServer(id);
}

} // namespace rd
