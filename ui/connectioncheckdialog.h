#pragma once

#include "inventory/server.h"

#include <QDialog>
#include <QElapsedTimer>
#include <QHash>

#include <memory>

class QLabel;
class QPlainTextEdit;
class QPushButton;
class QTableWidget;

namespace rd {

class GuiHostKeyPrompt;
class InventoryStore;
class KnownHosts;
class SshPool;
class Vault;

// `releasedesk-cli ssh check` with a window: connects to each server, signs in and runs `true`,
// and fills one row per server as the answers come. The SSH pool's workers do the I/O; this
// dialog only reacts to their signals, so the GUI never waits on a server.
class ConnectionCheckDialog : public QDialog
{
    Q_OBJECT

public:
    enum Column { ServerColumn, AddressColumn, StateColumn, AuthColumn, SecondsColumn, ErrorColumn, ColumnCount };

    ConnectionCheckDialog(InventoryStore &store, const Vault *vault, const QString &knownHostsPath,
                          QList<Server> servers, QWidget *parent = nullptr);
    ~ConnectionCheckDialog() override;

    // Starts (or repeats) the check of every server.
    void start();
    bool isRunning() const { return m_running; }

    void done(int result) override;

signals:
    void checkFinished();

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    enum class RowState { Connecting, Ok, Failed };

    void stop();
    void setRow(int row, RowState state, const QString &error = {});
    void onConnected(const QString &server, const QString &method);
    void onJobFinished(const QString &server, bool ok, const QString &message, const QString &hint);
    void onIdle();
    void showDetails();
    void updateSummary();

    InventoryStore &m_store;
    const Vault *m_vault;
    QList<Server> m_servers;
    std::unique_ptr<KnownHosts> m_knownHosts;
    std::unique_ptr<GuiHostKeyPrompt> m_prompt;
    std::unique_ptr<SshPool> m_pool;
    QHash<QString, int> m_rows;
    QList<RowState> m_states;
    QHash<QString, QElapsedTimer> m_clocks;
    bool m_running = false;

    QLabel *m_summary;
    QTableWidget *m_table;
    QPlainTextEdit *m_details;
    QPushButton *m_stopButton;
    QPushButton *m_againButton;
};

} // namespace rd
