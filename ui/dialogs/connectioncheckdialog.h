#pragma once

#include "inventory/server.h"

#include <QDialog>
#include <QHash>

#include <memory>

class QLabel;
class QPlainTextEdit;
class QPushButton;
class QTableWidget;

namespace rd {

class ConnectionCheck;
class GuiHostKeyPrompt;
class Workspace;

// The connection check (`releasedesk-cli ssh check`) with a window: one row per server, filled as
// the answers come. The check's SSH workers do the I/O; this dialog only shows their answers, so
// the GUI never waits on a server.
class ConnectionCheckDialog : public QDialog
{
    Q_OBJECT

public:
    enum Column { ServerColumn, AddressColumn, StateColumn, AuthColumn, SecondsColumn, ErrorColumn, ColumnCount };

    ConnectionCheckDialog(Workspace &workspace, QList<Server> servers, QWidget *parent = nullptr);
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
    void onServerFinished(const QString &server, bool ok, const QString &message, const QString &hint,
                          double seconds);
    void onFinished();
    void showDetails();
    void updateSummary();

    Workspace &m_workspace;
    QList<Server> m_servers;
    std::unique_ptr<GuiHostKeyPrompt> m_prompt;
    std::unique_ptr<ConnectionCheck> m_check;
    QHash<QString, int> m_rows;
    QList<RowState> m_states;
    bool m_running = false;

    QLabel *m_summary;
    QTableWidget *m_table;
    QPlainTextEdit *m_details;
    QPushButton *m_stopButton;
    QPushButton *m_againButton;
};

} // namespace rd
