#pragma once

#include "inventory/server.h"
#include "inventorypane.h"

class QCheckBox;
class QComboBox;
class QLineEdit;
class QPlainTextEdit;

namespace rd {

class ServerTableModel;

class ServersPane : public InventoryPane
{
    Q_OBJECT

public:
    explicit ServersPane(InventoryStore &store, QWidget *parent = nullptr);

    void reload() override;
    int itemCount() const override;

protected:
    QList<Error> validateForm() const override;
    void loadForm(qint64 id) override;
    Result<qint64> saveForm(qint64 id) override;
    Result<> removeItem(qint64 id) override;

private:
    Server formServer(std::optional<Error> *portError) const;

    ServerTableModel *m_servers;
    QLineEdit *m_name;
    QLineEdit *m_host;
    QLineEdit *m_port;
    QComboBox *m_key;
    QLineEdit *m_username;
    QLineEdit *m_department;
    QLineEdit *m_owner;
    QLineEdit *m_tags;
    QPlainTextEdit *m_notes;
    QCheckBox *m_enabled;
};

} // namespace rd
