using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SecretAdmin.Data.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class SmtpOAuth : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Authentication",
                table: "SmtpSettings",
                type: "character varying(20)",
                maxLength: 20,
                nullable: false,
                defaultValue: "None");

            migrationBuilder.AddColumn<string>(
                name: "OAuthCertificate",
                table: "SmtpSettings",
                type: "character varying(8000)",
                maxLength: 8000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "OAuthClientAuthentication",
                table: "SmtpSettings",
                type: "character varying(20)",
                maxLength: 20,
                nullable: false,
                defaultValue: "ClientSecretPost");

            migrationBuilder.AddColumn<string>(
                name: "OAuthClientId",
                table: "SmtpSettings",
                type: "character varying(500)",
                maxLength: 500,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "OAuthClientSecret",
                table: "SmtpSettings",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "OAuthClientSecretDestination",
                table: "SmtpSettings",
                type: "character varying(2500)",
                maxLength: 2500,
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "OAuthClientSecretUpdatedAtUtc",
                table: "SmtpSettings",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "OAuthClientSecretUpdatedBy",
                table: "SmtpSettings",
                type: "character varying(256)",
                maxLength: 256,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "OAuthGrant",
                table: "SmtpSettings",
                type: "character varying(20)",
                maxLength: 20,
                nullable: false,
                defaultValue: "ClientCredentials");

            migrationBuilder.AddColumn<string>(
                name: "OAuthPrivateKey",
                table: "SmtpSettings",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "OAuthPrivateKeyDestination",
                table: "SmtpSettings",
                type: "character varying(2500)",
                maxLength: 2500,
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "OAuthPrivateKeyUpdatedAtUtc",
                table: "SmtpSettings",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "OAuthPrivateKeyUpdatedBy",
                table: "SmtpSettings",
                type: "character varying(256)",
                maxLength: 256,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "OAuthScope",
                table: "SmtpSettings",
                type: "character varying(1000)",
                maxLength: 1000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "OAuthTokenEndpoint",
                table: "SmtpSettings",
                type: "character varying(2000)",
                maxLength: 2000,
                nullable: true);

            // Settings saved before sign-in had its own setting signed in exactly when a password was stored.
            migrationBuilder.Sql("UPDATE \"SmtpSettings\" SET \"Authentication\" = 'Password' WHERE \"Password\" IS NOT NULL;");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "Authentication",
                table: "SmtpSettings");

            migrationBuilder.DropColumn(
                name: "OAuthCertificate",
                table: "SmtpSettings");

            migrationBuilder.DropColumn(
                name: "OAuthClientAuthentication",
                table: "SmtpSettings");

            migrationBuilder.DropColumn(
                name: "OAuthClientId",
                table: "SmtpSettings");

            migrationBuilder.DropColumn(
                name: "OAuthClientSecret",
                table: "SmtpSettings");

            migrationBuilder.DropColumn(
                name: "OAuthClientSecretDestination",
                table: "SmtpSettings");

            migrationBuilder.DropColumn(
                name: "OAuthClientSecretUpdatedAtUtc",
                table: "SmtpSettings");

            migrationBuilder.DropColumn(
                name: "OAuthClientSecretUpdatedBy",
                table: "SmtpSettings");

            migrationBuilder.DropColumn(
                name: "OAuthGrant",
                table: "SmtpSettings");

            migrationBuilder.DropColumn(
                name: "OAuthPrivateKey",
                table: "SmtpSettings");

            migrationBuilder.DropColumn(
                name: "OAuthPrivateKeyDestination",
                table: "SmtpSettings");

            migrationBuilder.DropColumn(
                name: "OAuthPrivateKeyUpdatedAtUtc",
                table: "SmtpSettings");

            migrationBuilder.DropColumn(
                name: "OAuthPrivateKeyUpdatedBy",
                table: "SmtpSettings");

            migrationBuilder.DropColumn(
                name: "OAuthScope",
                table: "SmtpSettings");

            migrationBuilder.DropColumn(
                name: "OAuthTokenEndpoint",
                table: "SmtpSettings");
        }
    }
}
